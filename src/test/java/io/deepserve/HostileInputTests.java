package io.deepserve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.deepserve.inference.Images;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile requests against every endpoint of API.md and the Open Inference Protocol, over real HTTP so that
 * Tomcat's own refusals count too: each gets its status and problem+json with a {@code code}, never a 5xx, and
 * leaves the registry, the datasets and the jobs as they were. No engine, no training: it stays fast.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "deepserve.engine.load-at-startup=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTests {

	static final Path DATA_DIR = newDataDir();

	static final String LONG = "a".repeat(20_000);

	final HttpClient client = HttpClient.newHttpClient();

	final ObjectMapper json = new ObjectMapper();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("deepserve.data-dir", DATA_DIR::toString);
	}

	/**
	 * Something stored, so that "nothing changed" is not about empty lists: a dataset, and a model {@code tiny} whose
	 * version 1 is behind {@code production}.
	 */
	@BeforeAll
	void storeSomething() throws Exception {
		assertStatus(send(post("sample", "/api/v1/datasets/samples/sine?rows=40", 201, null)), 201);
		assertStatus(send(new Row("import", "POST", "/api/v1/models/tiny/versions", MULTIPART,
				multipart(Map.of("metadata", Images.tinyMetadata(null)), "artifact", "tiny.pt", Images.tinyTorchScript()),
				Map.of(), 201, null)), 201);
		assertStatus(send(alias("alias", "{\"version\": 1}", 200, null)), 200);
	}

	private static void assertStatus(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
	}

	record Row(String what, String method, String path, String contentType, byte[] body,
			Map<String, String> headers, int status, String code) {

		@Override
		public String toString() {
			return what + ": " + method + " " + (path.length() > 80 ? path.substring(0, 80) + "..." : path);
		}

	}

	static Stream<Row> rows() {
		List<Row> rows = new ArrayList<>();
		// the registry
		rows.add(get("encoded slash", "/api/v1/models/..%2Fx", 400, "bad_request"));
		rows.add(get("encoded NUL", "/api/v1/models/x%00", 400, "bad_request"));
		rows.add(get("injection-shaped name", "/api/v1/models/a%3BDROP", 400, "invalid_name"));
		rows.add(get("upper-case name", "/api/v1/models/ABC", 400, "invalid_name"));
		rows.add(get("version not a number", "/api/v1/models/tiny/versions/abc", 400, "invalid_request"));
		rows.add(get("version overflowing int", "/api/v1/models/tiny/versions/99999999999", 400, "invalid_request"));
		rows.add(get("artifact of a negative version", "/api/v1/models/tiny/versions/-1/artifact", 404,
				"version_not_found"));
		rows.add(get("artifact of nothing", "/api/v1/models/x/versions/1/artifact", 404, "model_not_found"));
		rows.add(get("alias history of nothing", "/api/v1/models/x/aliases/production/history", 404,
				"model_not_found"));
		rows.add(new Row("delete what is not there", "DELETE", "/api/v1/models/x/versions/1", null, null, Map.of(),
				404, "model_not_found"));
		rows.add(new Row("delete the version production serves", "DELETE", "/api/v1/models/tiny/versions/1", null,
				null, Map.of(), 409, "version_in_use"));
		rows.add(new Row("delete version overflowing", "DELETE", "/api/v1/models/tiny/versions/99999999999", null,
				null, Map.of(), 400, "invalid_request"));
		rows.add(imports("metadata null", "null", 400, "invalid_metadata"));
		rows.add(imports("metadata truncated", "{\"task\": \"forecasting\", \"archi", 400, "invalid_metadata"));
		rows.add(imports("metadata an array", "[]", 400, "invalid_metadata"));
		rows.add(imports("metadata unknown field",
				"{\"task\": \"forecasting\", \"architecture\": \"lstm\", \"epocs\": 2}", 400, "unknown_field"));
		rows.add(imports("metadata labels of the wrong type", "{\"task\": \"image-classification\", \"labels\": 7}",
				400, "invalid_metadata"));
		rows.add(imports("serving workers 1000", forecaster("\"workers\": 1000"), 400, "invalid_metadata"));
		rows.add(imports("serving queueSize 1e9", forecaster("\"queueSize\": 1000000000"), 400,
				"invalid_metadata"));
		rows.add(imports("serving queueSize -1", forecaster("\"queueSize\": -1"), 400, "invalid_metadata"));
		rows.add(imports("serving workers 1.5", forecaster("\"workers\": 1.5"), 400, "invalid_metadata"));
		rows.add(imports("serving threads -1", forecaster("\"threads\": -1"), 400, "invalid_metadata"));
		rows.add(imports("serving threads 4096", forecaster("\"threads\": 4096"), 400, "invalid_metadata"));
		rows.add(imports("serving setting misspelt", forecaster("\"worker\": 2"), 400, "unknown_field"));
		rows.add(imports("serving int8 without its float32 version", classifier("\"precision\": \"int8\", "
				+ "\"agreementDataset\": \"d\""), 400, "agreement_reference_required"));
		rows.add(imports("serving int8 against an alias", classifier("\"precision\": \"int8\", "
				+ "\"agreementReference\": \"tiny@production\", \"agreementDataset\": \"d\""), 400,
				"agreement_reference_required"));
		rows.add(imports("serving int8 of a float32 network", classifier("\"precision\": \"int8\", "
				+ "\"agreementReference\": \"tiny:1\", \"agreementDataset\": \"d\""), 400, "not_quantized"));
		rows.add(imports("serving agreementReference at bf16", classifier("\"precision\": \"bf16\", "
				+ "\"agreementReference\": \"tiny:1\", \"agreementDataset\": \"d\""), 400, "invalid_metadata"));
		rows.add(imports("serving precision fp64", classifier("\"precision\": \"fp64\""), 400, "invalid_metadata"));
		rows.add(imports("serving bf16 without images to measure it on", classifier("\"precision\": \"bf16\""),
				400, "agreement_dataset_required"));
		rows.add(imports("serving bf16 forecaster", forecaster("\"precision\": \"bf16\", \"agreementDataset\": "
				+ "\"d\""), 400, "invalid_metadata"));
		rows.add(imports("serving minAgreement 1.5", classifier("\"precision\": \"bf16\", \"minAgreement\": 1.5, "
				+ "\"agreementDataset\": \"d\""), 400, "invalid_metadata"));
		rows.add(imports("serving minAgreement a word", classifier("\"precision\": \"bf16\", \"minAgreement\": "
				+ "\"high\", \"agreementDataset\": \"d\""), 400, "invalid_metadata"));
		rows.add(imports("serving minAgreement at fp32", classifier("\"minAgreement\": 0.9"), 400,
				"invalid_metadata"));
		rows.add(imports("serving agreementDataset a number", classifier("\"precision\": \"bf16\", "
				+ "\"agreementDataset\": 7"), 400, "invalid_metadata"));
		rows.add(new Row("import into an injection-shaped name", "POST", "/api/v1/models/a%3BDROP/versions",
				MULTIPART, multipart(Map.of("metadata", forecaster("\"workers\": 1")), "artifact", "m.pt",
						new byte[] { 1, 2, 3 }),
				Map.of(), 400, "invalid_name"));
		rows.add(new Row("import without its artifact", "POST", "/api/v1/models/tiny/versions", MULTIPART,
				multipart(Map.of("metadata", forecaster("\"workers\": 1")), null, null, null), Map.of(), 400,
				ANY_CODE));
		rows.add(new Row("import of an artifact that is no model", "POST", "/api/v1/models/tiny/versions", MULTIPART,
				multipart(Map.of("metadata", forecaster("\"workers\": 1")), "artifact", "m.zip",
						"not a zip".getBytes()),
				Map.of(), 400, "invalid_artifact"));
		rows.add(alias("alias version 1.5", "{\"version\": 1.5}", 400, "invalid_json"));
		rows.add(alias("alias version a string", "{\"version\": \"1\"}", 400, "invalid_json"));
		rows.add(alias("alias version overflowing", "{\"version\": 99999999999}", 400, "invalid_json"));
		rows.add(alias("alias version null", "{\"version\": null}", 400, "invalid_request"));
		rows.add(alias("alias body null", "null", 400, "invalid_json"));
		rows.add(alias("alias body truncated", "{\"version\": ", 400, "invalid_json"));
		rows.add(alias("alias unknown field", "{\"version\": 1, \"force\": true}", 400, "unknown_field"));
		rows.add(new Row("alias of an injection-shaped name", "PUT", "/api/v1/models/tiny/aliases/a%3BDROP",
				"application/json", "{\"version\": 1}".getBytes(), Map.of(), 400, "invalid_alias"));
		rows.add(alias("alias to a version that is not there", "{\"version\": 2}", 404, "version_not_found"));
		rows.add(new Row("alias body as text", "PUT", "/api/v1/models/tiny/aliases/production", "text/plain",
				"{\"version\": 1}".getBytes(), Map.of(), 415, "unsupported_media_type"));
		rows.add(new Row("delete an alias that is not there", "DELETE", "/api/v1/models/x/aliases/production", null,
				null, Map.of(), 404, "model_not_found"));
		// datasets
		String series = "date,price\n" + "2020-01-01,1\n".repeat(20);
		rows.add(upload("dataset name ../x", "../x", "series", null, series.getBytes(), 400, "invalid_name"));
		rows.add(upload("dataset name a;DROP", "a;DROP", "series", null, series.getBytes(), 400, "invalid_name"));
		rows.add(upload("dataset name too long", LONG, "series", null, series.getBytes(), 400, "invalid_name"));
		rows.add(upload("dataset kind unknown", "ok", "zip", null, series.getBytes(), 400, "invalid_kind"));
		rows.add(upload("series in Latin-1", "ok", "series", null, "date,Température\n2020-01-01,1\n"
			.repeat(20)
			.getBytes(StandardCharsets.ISO_8859_1), 400, "invalid_csv"));
		rows.add(upload("a zip sent as a series", "ok", "series", null, zip(series.getBytes()), 400, "invalid_csv"));
		rows.add(upload("series charset unknown", "ok", "series", "klingon", series.getBytes(), 400,
				"invalid_charset"));
		rows.add(upload("series holding Infinity", "ok", "series", null,
				("date,price\n" + "2020-01-01,Infinity\n".repeat(20)).getBytes(), 400, "invalid_number"));
		rows.add(upload("series with a NUL", "ok", "series", null, (series + "\0\n").getBytes(), 400,
				"invalid_csv"));
		rows.add(upload("series empty", "ok", "series", null, new byte[0], 400, "empty_dataset"));
		rows.add(upload("images that are no zip", "ok", "images", null, series.getBytes(), 400, "invalid_archive"));
		rows.add(new Row("dataset as JSON", "POST", "/api/v1/datasets", "application/json",
				"{\"name\": \"ok\"}".getBytes(), Map.of(), 415, "unsupported_media_type"));
		rows.add(get("dataset id with NUL", "/api/v1/datasets/%00", 400, "bad_request"));
		rows.add(get("dataset id ../x", "/api/v1/datasets/..%2Fx", 400, "bad_request"));
		rows.add(get("dataset not there", "/api/v1/datasets/nope", 404, "dataset_not_found"));
		rows.add(new Row("delete a dataset not there", "DELETE", "/api/v1/datasets/a%3BDROP", null, null, Map.of(),
				404, "dataset_not_found"));
		rows.add(post("sample not there", "/api/v1/datasets/samples/nope", 404, "sample_not_found"));
		rows.add(post("sample rows negative", "/api/v1/datasets/samples/sine?rows=-1", 400, "invalid_request"));
		rows.add(post("sample rows not a number", "/api/v1/datasets/samples/sine?rows=abc", 400, "invalid_request"));
		rows.add(post("sample rows overflowing", "/api/v1/datasets/samples/sine?rows=99999999999", 400,
				"invalid_request"));
		rows.add(post("sample name injection-shaped", "/api/v1/datasets/samples/sine?name=a;DROP", 400,
				"invalid_name"));
		rows.add(post("sample classes ../x", "/api/v1/datasets/samples/shapes?classes=../x", 400,
				"invalid_request"));
		// training jobs
		rows.add(train("top-level field misspelt", "{\"model\": \"m\", \"epocs\": 2}", 400, "unknown_field"));
		rows.add(train("hyperparameter misspelt", "{\"model\": \"m\", \"hyperparameters\": {\"epocs\": 2}}", 400,
				"unknown_field"));
		rows.add(train("transfer field misspelt", "{\"model\": \"m\", \"transfer\": {\"mod\": \"fine-tune\"}}", 400,
				"unknown_field"));
		rows.add(train("epochs 1.5", "{\"model\": \"m\", \"hyperparameters\": {\"epochs\": 1.5}}", 400,
				"invalid_json"));
		rows.add(train("epochs as text", "{\"model\": \"m\", \"hyperparameters\": {\"epochs\": \"2\"}}", 400,
				"invalid_json"));
		rows.add(train("learningRate \"Infinity\"",
				"{\"model\": \"m\", \"hyperparameters\": {\"learningRate\": \"Infinity\"}}", 400, "invalid_json"));
		rows.add(train("learningRate overflowing to infinity",
				"{\"model\": \"m\", \"hyperparameters\": {\"learningRate\": 1e999}}", 400, "invalid_json"));
		rows.add(train("learningRate NaN", "{\"model\": \"m\", \"hyperparameters\": {\"learningRate\": NaN}}", 400,
				"invalid_json"));
		rows.add(train("epochs overflowing int", "{\"model\": \"m\", \"hyperparameters\": {\"epochs\": 1e10}}",
				400, "invalid_json"));
		rows.add(train("epochs past the bound", "{\"model\": \"m\", \"hyperparameters\": {\"epochs\": 1000000}}",
				400, "invalid_hyperparameter"));
		rows.add(train("batchSize past the bound",
				"{\"model\": \"m\", \"hyperparameters\": {\"batchSize\": 100000}}", 400, "invalid_hyperparameter"));
		rows.add(train("model ../x", "{\"model\": \"../x\"}", 400, "invalid_name"));
		rows.add(train("model a;DROP", "{\"model\": \"a;DROP\"}", 400, "invalid_name"));
		rows.add(train("model null", "{\"model\": null}", 400, "invalid_name"));
		rows.add(train("model a number", "{\"model\": 7}", 400, "invalid_json"));
		rows.add(train("model name oversized", "{\"model\": \"" + LONG + "\"}", 400, "invalid_name"));
		rows.add(train("body null", "null", 400, "invalid_json"));
		rows.add(train("body an array", "[]", 400, "invalid_json"));
		rows.add(train("body truncated", "{\"model\": \"m\", \"hyperpar", 400, "invalid_json"));
		rows.add(train("dataset injection-shaped", "{\"model\": \"m\", \"architecture\": \"resnet18\", "
				+ "\"dataset\": \"'; DROP TABLE datasets;--\"}", 404, "dataset_not_found"));
		rows.add(get("job status unknown", "/api/v1/training-jobs?status=DROP", 400, "invalid_status"));
		rows.add(get("job id with NUL", "/api/v1/training-jobs/%00", 400, "bad_request"));
		rows.add(get("job not there", "/api/v1/training-jobs/a%3BDROP", 404, "job_not_found"));
		rows.add(get("events of no job", "/api/v1/training-jobs/nope/events", 404, "job_not_found"));
		rows.add(post("cancel no job", "/api/v1/training-jobs/nope/cancel", 404, "job_not_found"));
		// inference
		rows.add(new Row("classify garbage", "POST", "/api/v1/models/tiny/classify", "image/png", new byte[] { 1, 2 },
				Map.of(), 400, "invalid_image"));
		rows.add(new Row("classify a PNG failing its CRC", "POST", "/api/v1/models/tiny/classify", "image/png",
				pngWithBadCrc(), Map.of(), 400, "invalid_image"));
		rows.add(new Row("classify no model", "POST", "/api/v1/models/x/classify", "image/png", new byte[] { 1, 2 },
				Map.of(), 404, "model_not_found"));
		rows.add(new Row("classify topK not a number", "POST", "/api/v1/models/x/classify?topK=abc", "image/png",
				new byte[] { 1, 2 }, Map.of(), 400, "invalid_request"));
		rows.add(new Row("forecast of no model", "POST", "/api/v1/models/x/forecast", "application/json",
				"{\"series\": [1, 2".getBytes(), Map.of(), 404, "model_not_found"));
		rows.add(new Row("forecast to a classifier", "POST", "/api/v1/models/tiny/forecast", "application/json",
				"{\"series\": [1, 2, 3], \"horizon\": 1.5}".getBytes(), Map.of(), 400, "wrong_task"));
		rows.add(get("OIP metadata of nothing", "/v2/models/a%3BDROP", 400, "invalid_name"));
		rows.add(get("OIP version not a number", "/v2/models/x/versions/abc", 400, "invalid_request"));
		rows.add(oip("OIP infer truncated", "{\"inputs\": [", 400, "invalid_json"));
		rows.add(oip("OIP infer data NaN",
				"{\"inputs\": [{\"name\": \"input\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [NaN]}]}", 400,
				"invalid_json"));
		rows.add(oip("OIP shape overflowing a long", "{\"inputs\": [{\"name\": \"input\", \"shape\": "
				+ "[99999999999, 99999999999], \"datatype\": \"FP32\", \"data\": [1]}]}", 400, "invalid_tensor"));
		rows.add(oip("OIP more images than the queue holds", "{\"inputs\": [{\"name\": \"image\", \"shape\": "
				+ "[100000], \"datatype\": \"BYTES\", \"data\": [\"AA==\"]}]}", 413, "batch_too_large"));
		// operations and the container
		rows.add(get("the error page asked for", "/error", 404, "not_found"));
		rows.add(get("architectures classes negative", "/api/v1/architectures?classes=-1", 400, ANY_CODE));
		rows.add(get("architectures imageSize overflowing", "/api/v1/architectures?imageSize=99999999999", 400,
				"invalid_request"));
		rows.add(new Row("header over the limit", "GET", "/api/v1/models", null, null, Map.of("X-Long", LONG), 400,
				"bad_request"));
		rows.add(get("path over the limit", "/api/v1/models/" + LONG, 400, "bad_request"));
		rows.add(new Row("unknown key to a probe", "GET", "/actuator/health/liveness", null, null,
				Map.of("Authorization", "Bearer guessed"), 401, "unauthorized"));
		return rows.stream();
	}

	private static Row oip(String what, String body, int status, String code) {
		return new Row(what, "POST", "/v2/models/tiny/infer", "application/json", body.getBytes(StandardCharsets.UTF_8),
				Map.of(), status, code);
	}

	/** A real PNG whose IDAT chunk fails its CRC: ImageIO alone would decode it. */
	private static byte[] pngWithBadCrc() {
		byte[] png = Images.encode(Images.pattern(40, 30, 7), "png");
		for (int i = 4; i + 4 <= png.length; i++) {
			if (png[i] == 'I' && png[i + 1] == 'D' && png[i + 2] == 'A' && png[i + 3] == 'T') {
				int length = ((png[i - 4] & 0xff) << 24) | ((png[i - 3] & 0xff) << 16) | ((png[i - 2] & 0xff) << 8)
						| (png[i - 1] & 0xff);
				png[i + 4 + length + 3] ^= 1;
				return png;
			}
		}
		throw new IllegalStateException("no IDAT chunk");
	}

	/** Any code is right, as long as there is one. */
	static final String ANY_CODE = "";

	@ParameterizedTest(name = "{0}")
	@MethodSource("rows")
	void refusedWithItsCodeAndNothingStoredChanges(Row row) throws Exception {
		String before = stored();

		HttpResponse<String> response = send(row);

		String body = response.body();
		assertThat(response.statusCode()).as("no 5xx: %s", body).isLessThan(500);
		assertThat(response.statusCode()).as(body).isEqualTo(row.status());
		assertThat(response.headers().firstValue("Content-Type")).as(body)
			.hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = json.readTree(body);
		assertThat(problem.path("status").asInt()).isEqualTo(response.statusCode());
		assertThat(problem.path("code").asText()).as(body).isNotBlank();
		if (row.code() != null && !row.code().isEmpty()) {
			assertThat(problem.path("code").asText()).as(body).isEqualTo(row.code());
		}
		assertThat(body).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
		assertThat(stored()).as("the registry, datasets and jobs are as they were").isEqualTo(before);
	}

	/** What the service holds, as its listings show it. */
	private String stored() throws Exception {
		StringBuilder all = new StringBuilder();
		for (String path : new String[] { "/api/v1/models", "/api/v1/datasets", "/api/v1/training-jobs" }) {
			HttpResponse<String> listing = send(get("listing", path, 200, null));
			assertThat(listing.statusCode()).isEqualTo(200);
			all.append(listing.body()).append('\n');
		}
		return all.toString();
	}

	private HttpResponse<String> send(Row row) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + row.path()))
			.method(row.method(), row.body() == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofByteArray(row.body()));
		if (row.contentType() != null) {
			request.header("Content-Type", row.contentType());
		}
		row.headers().forEach(request::header);
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static Row get(String what, String path, int status, String code) {
		return new Row(what, "GET", path, null, null, Map.of(), status, code);
	}

	private static Row post(String what, String path, int status, String code) {
		return new Row(what, "POST", path, null, null, Map.of(), status, code);
	}

	private static Row train(String what, String body, int status, String code) {
		return new Row(what, "POST", "/api/v1/training-jobs", "application/json", body.getBytes(), Map.of(), status,
				code);
	}

	private static Row alias(String what, String body, int status, String code) {
		return new Row(what, "PUT", "/api/v1/models/tiny/aliases/production", "application/json", body.getBytes(),
				Map.of(), status, code);
	}

	private static Row imports(String what, String metadata, int status, String code) {
		return new Row(what, "POST", "/api/v1/models/tiny/versions", MULTIPART,
				multipart(Map.of("metadata", metadata), "artifact", "tiny.pt", Images.tinyTorchScript()), Map.of(),
				status, code);
	}

	private static Row upload(String what, String name, String kind, String charset, byte[] file, int status,
			String code) {
		Map<String, String> fields = charset == null ? Map.of("name", name, "kind", kind)
				: Map.of("name", name, "kind", kind, "charset", charset);
		return new Row(what, "POST", "/api/v1/datasets", MULTIPART, multipart(fields, "file", "a.csv", file),
				Map.of(), status, code);
	}

	/** The tiny classifier's metadata with these {@code serving} settings. */
	private static String classifier(String serving) {
		return Images.tinyMetadata("{" + serving + "}");
	}

	/** A valid forecaster's metadata with these {@code serving} settings. */
	private static String forecaster(String serving) {
		return "{\"task\": \"forecasting\", \"architecture\": \"lstm\", \"forecast\": {\"window\": 10, \"horizon\": 1},"
				+ " \"serving\": {" + serving + "}}";
	}

	private static final String BOUNDARY = "hostile-boundary";

	private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

	private static byte[] multipart(Map<String, String> fields, String fileField, String filename, byte[] file) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		fields.forEach((name, value) -> out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\""
				+ name + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
		if (fileField != null) {
			out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + fileField
					+ "\"; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
				.getBytes(StandardCharsets.UTF_8));
			out.writeBytes(file);
			out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

	private static byte[] zip(byte[] csv) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream out = new ZipOutputStream(bytes)) {
			out.putNextEntry(new ZipEntry("a.csv"));
			out.write(csv);
			out.closeEntry();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	private static Path newDataDir() {
		try {
			return Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "hostile-")
				.toAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
