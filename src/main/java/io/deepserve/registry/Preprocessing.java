package io.deepserve.registry;

import java.util.List;

/**
 * How an image becomes the model's input tensor: resize the short side to {@code resize} with {@code resizeMethod},
 * centre-crop to {@code imageSize}, scale to [0, 1], normalise per channel with {@code mean} and {@code std} (RGB
 * order).
 */
public record Preprocessing(Integer imageSize, Integer resize, List<Float> mean, List<Float> std,
		String resizeMethod) {

	public static final List<Float> IMAGENET_MEAN = List.of(0.485f, 0.456f, 0.406f);

	public static final List<Float> IMAGENET_STD = List.of(0.229f, 0.224f, 0.225f);

	/** Plain bilinear interpolation of the nearest pixels, as every version stored before the option existed. */
	public static final String BILINEAR = "bilinear";

	/** PIL's (and so torchvision's) bilinear resize, which widens its filter when downscaling. */
	public static final String ANTIALIAS = "antialias";

	/** PIL's bicubic resize, also antialiased. */
	public static final String BICUBIC = "bicubic";

	public static final List<String> RESIZE_METHODS = List.of(BILINEAR, ANTIALIAS, BICUBIC);

	/** Resized with the default method. */
	public Preprocessing(Integer imageSize, Integer resize, List<Float> mean, List<Float> std) {
		this(imageSize, resize, mean, std, null);
	}

	/** The short side is resized to this before the centre crop; defaults to {@code imageSize} (no crop margin). */
	public int resizeOrDefault() {
		return resize != null ? resize : imageSize;
	}

	public String resizeMethodOrDefault() {
		return resizeMethod != null ? resizeMethod : BILINEAR;
	}

}
