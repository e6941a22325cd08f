package io.deepserve.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.ZipFile;

import org.springframework.stereotype.Service;
import org.springframework.web.multipart.MultipartFile;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.storage.ArtifactStore;
import io.deepserve.storage.StoredArtifact;
import io.deepserve.web.Names;

/**
 * The dataset module's facade. A file is validated completely in a scratch copy before anything is stored, so a
 * rejected upload leaves no trace; then it is stored under {@code datasets/<id>.zip|csv} and given a row.
 */
@Service
public class DatasetService {

	private final DatasetRepository repository;

	private final ArtifactStore store;

	private final DeepserveProperties properties;

	DatasetService(DatasetRepository repository, ArtifactStore store, DeepserveProperties properties) {
		this.repository = repository;
		this.store = store;
		this.properties = properties;
	}

	/** @throws DeepserveException {@code 404 dataset_not_found} */
	public Dataset get(String id) {
		return find(id).dataset();
	}

	/**
	 * A dataset by id, or else the newest dataset with that name, so a saved training recipe can say
	 * {@code "dataset": "shapes"}.
	 * @throws DeepserveException {@code 404 dataset_not_found}
	 */
	public Dataset resolve(String idOrName) {
		return repository.find(idOrName)
			.map(DatasetRepository.Row::dataset)
			.or(() -> Names.isValid(idOrName) ? repository.list(idOrName).stream().reduce((a, b) -> b)
					: Optional.empty())
			.orElseThrow(() -> new NotFoundException("dataset_not_found",
					"there is no dataset with id or name '" + idOrName + "'"));
	}

	/** Oldest first; only those called {@code name} unless it is null. */
	public List<Dataset> list(String name) {
		return repository.list(name);
	}

	/** The images of an {@code images} dataset, read from its checksum-verified zip. Close it when done. */
	public ImageFolder openImages(String id) throws IOException {
		DatasetRepository.Row row = find(id, Dataset.IMAGES);
		ZipFile zip = ImageZipValidator.open(verifiedFile(row));
		try {
			return new ImageFolder(zip, ImageZipLayout.read(zip, limits().maxEntries()), limits().maxImagePixels());
		}
		catch (RuntimeException ex) {
			zip.close();
			throw ex;
		}
	}

	/** The columns of a {@code series} dataset, read from its checksum-verified CSV. */
	public SeriesTable readSeries(String id) throws IOException {
		return SeriesCsv.parse(verifiedFile(find(id, Dataset.SERIES)), limits().minSeriesRows(), true);
	}

	/** Deletes the row first: a crash in between leaves an unreferenced file, never a row without its file. */
	public void delete(String id) throws IOException {
		DatasetRepository.Row row = find(id);
		repository.delete(id);
		store.delete(row.artifactKey());
	}

	/** @param charset a series CSV's encoding when it is not UTF-8; it is stored transcoded to UTF-8 */
	Dataset upload(String name, String kind, String charset, MultipartFile file) throws IOException {
		Names.require("dataset", name);
		checkKind(kind);
		Charset encoding = charset(kind, charset);
		long limit = limits().maxUploadSize().toBytes();
		if (file.getSize() > limit) {
			throw new PayloadTooLargeException("the dataset file has " + file.getSize()
					+ " bytes; the configured limit is " + limit + " bytes");
		}
		if (file.isEmpty()) {
			throw new InvalidInputException("empty_dataset", "the uploaded file is empty");
		}
		Path scratch = scratchFile();
		try {
			file.transferTo(scratch);
			if (!encoding.equals(StandardCharsets.UTF_8)) {
				SeriesCsv.transcodeToUtf8(scratch, encoding);
			}
			return ingest(name, kind, scratch);
		}
		finally {
			Files.deleteIfExists(scratch);
		}
	}

	Dataset sample(String sample, SampleRequest request) throws IOException {
		boolean shapes = sample.equals("shapes");
		if (!shapes && !sample.equals("sine")) {
			throw new NotFoundException("sample_not_found",
					"there is no sample '" + sample + "'; the samples are [shapes, sine]");
		}
		String name = Names.require("dataset", request.name() != null ? request.name() : sample);
		Path scratch = scratchFile();
		try {
			if (shapes) {
				ShapesSample.write(scratch, shapes(request.classes()), request.countPerClass(), request.imageSize(),
						request.seed());
				return ingest(name, Dataset.IMAGES, scratch);
			}
			SineSample.write(scratch, request.rows(), request.seed());
			return ingest(name, Dataset.SERIES, scratch);
		}
		finally {
			Files.deleteIfExists(scratch);
		}
	}

	private static List<String> shapes(List<String> requested) {
		List<String> unknown = requested.stream().filter(c -> !ShapesSample.SHAPES.contains(c)).toList();
		if (!unknown.isEmpty()) {
			throw new InvalidInputException("invalid_request",
					"unknown shapes " + unknown + "; the shapes are " + ShapesSample.SHAPES);
		}
		return requested.stream().distinct().toList();
	}

	private Dataset ingest(String name, String kind, Path file) throws IOException {
		boolean images = kind.equals(Dataset.IMAGES);
		Summary summary = images ? ImageZipValidator.validate(file, limits())
				: SeriesCsv.validate(file, limits().minSeriesRows());
		String id = UUID.randomUUID().toString();
		String key = "datasets/" + id + (images ? ".zip" : ".csv");
		StoredArtifact stored;
		try (InputStream in = Files.newInputStream(file)) {
			stored = store.put(key, in, limits().maxUploadSize().toBytes());
		}
		Dataset dataset = summary.toDataset(id, name, kind, stored.sha256(), stored.sizeBytes(),
				Instant.now().truncatedTo(ChronoUnit.MILLIS));
		try {
			repository.insert(dataset, summary, key);
		}
		catch (RuntimeException ex) {
			store.delete(key);
			throw ex;
		}
		return dataset;
	}

	private DatasetRepository.Row find(String id) {
		return repository.find(id)
			.orElseThrow(() -> new NotFoundException("dataset_not_found", "there is no dataset '" + id + "'"));
	}

	private DatasetRepository.Row find(String id, String kind) {
		DatasetRepository.Row row = find(id);
		if (!row.dataset().kind().equals(kind)) {
			throw new InvalidInputException("wrong_dataset_kind",
					"dataset '" + id + "' holds " + row.dataset().kind() + ", not " + kind);
		}
		return row;
	}

	private Path verifiedFile(DatasetRepository.Row row) throws IOException {
		return store.localVerifiedFile(row.artifactKey(), row.dataset().sha256());
	}

	/** Uploads are checked in a copy under the cache directory, which may be wiped at any time. */
	private Path scratchFile() throws IOException {
		Path dir = Files.createDirectories(properties.cacheDir().resolve("uploads").toAbsolutePath());
		return Files.createTempFile(dir, "dataset-", ".tmp");
	}

	private static Charset charset(String kind, String name) {
		if (name == null || name.isBlank()) {
			return StandardCharsets.UTF_8;
		}
		if (!Dataset.SERIES.equals(kind)) {
			throw new InvalidInputException("invalid_charset", "charset is for series CSV files only");
		}
		try {
			return Charset.forName(name.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidInputException("invalid_charset", "unknown charset '" + name + "'; for example UTF-8, "
					+ "ISO-8859-1 or windows-1252");
		}
	}

	private static void checkKind(String kind) {
		if (!Dataset.IMAGES.equals(kind) && !Dataset.SERIES.equals(kind)) {
			throw new InvalidInputException("invalid_kind", "kind must be 'images' or 'series', not '" + kind + "'");
		}
	}

	private DeepserveProperties.Datasets limits() {
		return properties.datasets();
	}

}
