package io.deepserve.inference.vision;

import java.io.IOException;
import java.io.InputStream;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;

/**
 * {@code POST /api/v1/models/{ref}/classify}: the image as the raw body or as multipart part {@code image}. The
 * format is read from the bytes, not the declared type, so a PNG sent as {@code image/jpeg} still works and a GIF
 * sent as {@code image/png} is refused; bodies of other types are {@code 415}.
 */
@RestController
@Tag(name = "inference", description = "Classify images with a model version")
class ClassifyController {

	private static final String TTA = "test-time augmentation: none; 10crop (the probabilities averaged over "
			+ "the four corner and the centre crops and their mirrors, from the short side resized to "
			+ "imageSize * 256/224); or multiscale (averaged over the centre crop and its mirror with the short side "
			+ "resized to imageSize times 1, 256/224 and 288/224, VGG's test scales)";

	private final ImageClassifier classifier;

	private final long maxBytes;

	ClassifyController(ImageClassifier classifier, DeepserveProperties properties) {
		this.classifier = classifier;
		this.maxBytes = properties.inference().maxImageBytes().toBytes();
	}

	@PostMapping(path = "/api/v1/models/{ref}/classify",
			consumes = { MediaType.IMAGE_JPEG_VALUE, MediaType.IMAGE_PNG_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE })
	@Operation(summary = "Classify one image sent as the raw body",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
					@Content(mediaType = MediaType.IMAGE_JPEG_VALUE, schema = @Schema(type = "string", format = "binary")),
					@Content(mediaType = MediaType.IMAGE_PNG_VALUE, schema = @Schema(type = "string", format = "binary")) }))
	Classification classify(@Parameter(description = "name, name:version or name@alias") @PathVariable String ref,
			@Parameter(description = "how many of the most likely labels to return") @RequestParam(
					defaultValue = "5") int topK,
			@Parameter(description = TTA) @RequestParam(defaultValue = ImageClassifier.TTA_NONE) String tta,
			@Parameter(hidden = true) HttpServletRequest request) throws IOException {
		if (request.getContentLengthLong() > maxBytes) {
			throw tooLarge();
		}
		ImageClassifier.requireTta(tta);
		// an unknown model or a forecaster is refused before up to max-image-bytes are read; the image is then
		// classified by whatever the reference names once it is read (an alias that moved meanwhile is followed,
		// rather than the version it left being loaded again for this one request)
		classifier.resolve(ref);
		return classifier.classify(ref, read(request.getInputStream()), topK, tta);
	}

	@PostMapping(path = "/api/v1/models/{ref}/classify", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@Operation(summary = "Classify one image sent as multipart part 'image'")
	Classification classifyPart(@PathVariable String ref, @RequestParam(defaultValue = "5") int topK,
			@Parameter(description = TTA) @RequestParam(defaultValue = ImageClassifier.TTA_NONE) String tta,
			@RequestPart("image") MultipartFile image) throws IOException {
		if (image.getSize() > maxBytes) {
			throw tooLarge();
		}
		ImageClassifier.requireTta(tta);
		try (InputStream in = image.getInputStream()) {
			return classifier.classify(ref, read(in), topK, tta);
		}
	}

	/** Reads at most the limit, whatever Content-Length claimed (chunked bodies declare none). */
	private byte[] read(InputStream in) throws IOException {
		byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
		if (bytes.length > maxBytes) {
			throw tooLarge();
		}
		if (bytes.length == 0) {
			throw new InvalidInputException("invalid_image", "the request has no image bytes");
		}
		return bytes;
	}

	private DeepserveException tooLarge() {
		return new PayloadTooLargeException("the image is larger than deepserve.inference.max-image-bytes (" + maxBytes
				+ " bytes)");
	}

}
