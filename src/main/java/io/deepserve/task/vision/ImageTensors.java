package io.deepserve.task.vision;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.Random;

import io.deepserve.image.ImageDecoder;
import io.deepserve.registry.Preprocessing;

/**
 * A version's {@link Preprocessing}, the one implementation training and serving both use: the image's short side
 * resized to {@code resize} with the version's resize method, the centred {@code imageSize} square cropped (as
 * torchvision's {@code Resize} and {@code CenterCrop}), scaled to [0, 1] and normalised per channel, as CHW floats.
 * <p>
 * Training images may instead be augmented as the {@link Augmentation} says; by default a random crop of 60 to 100%
 * of the area resized to the square with the same method, a random horizontal flip, and colour jitter (brightness,
 * contrast and saturation each scaled by a random factor in [0.8, 1.2]); optionally AlexNet's PCA colour shift,
 * added after the jitter to the values in [0, 1] and not clipped, as in the paper.
 */
public final class ImageTensors {

	private static final double JITTER = 0.2;

	/** How many images {@link #tenCrops} gives. */
	public static final int TEN_CROPS = 10;

	private static final double TEN_CROP_RATIO = 256.0 / 224.0;

	/**
	 * The short sides {@link #multiScale} resizes to, as fractions of {@code imageSize}: VGG's test scales
	 * Q = {S - 32, S, S + 32} at S = 256 for 224-pixel crops (Simonyan and Zisserman 2014, section 4.2).
	 */
	private static final double[] MULTI_SCALE_RATIOS = { 224.0 / 224.0, 256.0 / 224.0, 288.0 / 224.0 };

	/** How many images {@link #multiScale} gives: each scale's centre crop and its mirror. */
	public static final int MULTI_SCALE_CROPS = 2 * MULTI_SCALE_RATIOS.length;

	private final int size;

	private final int resize;

	private final float[] mean;

	private final float[] std;

	private final Resampling resampling;

	private final Augmentation augmentation;

	private final ColorPca pca;

	/** Mean and std default to ImageNet's, the resize method to {@code bilinear}, as for versions that name none. */
	public ImageTensors(Preprocessing preprocessing) {
		this(preprocessing, Augmentation.DEFAULT, null);
	}

	/**
	 * @param augmentation what {@link #write} does with a random source
	 * @param pca the training split's colour components, when {@code augmentation} asks for the PCA colour shift
	 */
	public ImageTensors(Preprocessing preprocessing, Augmentation augmentation, ColorPca pca) {
		if (augmentation.pcaColorOrDefault() && pca == null) {
			throw new IllegalArgumentException("PCA colour augmentation needs the training split's components");
		}
		this.augmentation = augmentation;
		this.pca = augmentation.pcaColorOrDefault() ? pca : null;
		this.size = preprocessing.imageSize();
		this.resize = preprocessing.resizeOrDefault();
		this.mean = toArray(preprocessing.mean() != null ? preprocessing.mean() : Preprocessing.IMAGENET_MEAN);
		this.std = toArray(preprocessing.std() != null ? preprocessing.std() : Preprocessing.IMAGENET_STD);
		this.resampling = Resampling.of(preprocessing.resizeMethodOrDefault());
	}

	/** One image's {@code 3 * imageSize * imageSize} values, without augmentation. */
	public float[] tensor(BufferedImage image) {
		float[] out = new float[3 * size * size];
		write(image, null, out, 0);
		return out;
	}

	/**
	 * Writes one image's {@code 3 * imageSize * imageSize} values into {@code out} at {@code offset}.
	 * @param augment null for exactly the stored preprocessing
	 */
	public void write(BufferedImage image, Random augment, float[] out, int offset) {
		int w = image.getWidth();
		int h = image.getHeight();
		if (augment == null) {
			int[] resized = resizedSize(w, h, resize);
			int left = (int) Math.rint((resized[0] - size) / 2.0);
			int top = (int) Math.rint((resized[1] - size) / 2.0);
			normalise(crop(pixels(image), w, h, resized, left, top), out, offset);
			return;
		}
		int[] box = cropBox(w, h, augmentation.cropOrDefault(), augment);
		int sx = box[0];
		int sy = box[1];
		int cw = box[2];
		int ch = box[3];
		boolean flip = augmentation.flipOrDefault() && augment.nextBoolean();
		boolean jitter = augmentation.colorJitterOrDefault();
		float brightness = jitter ? jitter(augment) : 1;
		float contrast = jitter ? jitter(augment) : 1;
		float saturation = jitter ? jitter(augment) : 1;
		float[] shift = pca != null ? pca.shift(augment) : new float[3];
		int[] square = Resampling.resample(pixels(image), w, resampling.axis(w, sx, sx + cw, size, 0, size),
				resampling.axis(h, sy, sy + ch, size, 0, size));
		if (flip) {
			mirror(square);
		}
		jittered(square, brightness, contrast, saturation, shift, out, offset);
	}

	/**
	 * The image's centred square as the stored preprocessing crops it, as packed RGB before scaling: what the
	 * training split's colour statistics are taken from.
	 */
	public int[] centreSquare(BufferedImage image) {
		int w = image.getWidth();
		int h = image.getHeight();
		int[] resized = resizedSize(w, h, resize);
		return crop(pixels(image), w, h, resized, (int) Math.rint((resized[0] - size) / 2.0),
				(int) Math.rint((resized[1] - size) / 2.0));
	}

	/**
	 * {@code (left, top, width, height)} of a random crop. Without a ratio both sides shrink by the square root of the
	 * area's share (the image's aspect kept); with one, torchvision's {@code RandomResizedCrop}: ten tries at an area
	 * and a log-uniform ratio that fit, else the centred crop of the nearest allowed ratio.
	 */
	private static int[] cropBox(int w, int h, Augmentation.Crop crop, Random random) {
		double low = crop.scaleOrDefault().get(0);
		double high = crop.scaleOrDefault().get(1);
		if (crop.ratio() == null) {
			double scale = Math.sqrt(low + (high - low) * random.nextDouble());
			int cw = Math.max(1, (int) Math.round(w * scale));
			int ch = Math.max(1, (int) Math.round(h * scale));
			return new int[] { random.nextInt(w - cw + 1), random.nextInt(h - ch + 1), cw, ch };
		}
		double logLow = Math.log(crop.ratio().get(0));
		double logHigh = Math.log(crop.ratio().get(1));
		double area = (double) w * h;
		for (int attempt = 0; attempt < 10; attempt++) {
			double target = area * (low + (high - low) * random.nextDouble());
			double ratio = Math.exp(logLow + (logHigh - logLow) * random.nextDouble());
			int cw = (int) Math.round(Math.sqrt(target * ratio));
			int ch = (int) Math.round(Math.sqrt(target / ratio));
			if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
				return new int[] { random.nextInt(w - cw + 1), random.nextInt(h - ch + 1), cw, ch };
			}
		}
		double in = (double) w / h;
		int cw = w;
		int ch = h;
		if (in < crop.ratio().get(0)) {
			ch = Math.max(1, (int) Math.round(w / crop.ratio().get(0)));
		}
		else if (in > crop.ratio().get(1)) {
			cw = Math.max(1, (int) Math.round(h * crop.ratio().get(1)));
		}
		return new int[] { (w - cw) / 2, (h - ch) / 2, cw, ch };
	}

	/**
	 * Ten-crop test-time augmentation (Krizhevsky et al. 2012; torchvision's {@code TenCrop}): the short side
	 * resized to {@link #tenCropResize()}, the four corner squares and the centre one of {@code imageSize}, then
	 * their horizontal mirrors, each normalised as {@link #tensor} normalises: ten CHW images one after another.
	 */
	public float[] tenCrops(BufferedImage image) {
		int w = image.getWidth();
		int h = image.getHeight();
		int[] resized = resizedSize(w, h, tenCropResize());
		int right = resized[0] - size;
		int bottom = resized[1] - size;
		int[][] corners = { { 0, 0 }, { right, 0 }, { 0, bottom }, { right, bottom },
				{ (int) Math.rint(right / 2.0), (int) Math.rint(bottom / 2.0) } };
		int each = 3 * size * size;
		float[] out = new float[TEN_CROPS * each];
		int[] pixels = pixels(image);
		for (int i = 0; i < corners.length; i++) {
			cropAndMirror(pixels, w, h, resized, corners[i], out, i * each, (i + corners.length) * each);
		}
		return out;
	}

	/**
	 * Multi-scale test-time augmentation as in VGG's evaluation (Simonyan and Zisserman 2014): the short side
	 * resized to each of {@link #multiScaleResizes()}, the centred {@code imageSize} square and its mirror at each,
	 * normalised as {@link #tensor} normalises: six CHW images one after another. Every image has the version's
	 * size, so it runs on any network, TorchScript ones of a fixed input size included; VGG's dense evaluation of
	 * the whole rescaled image is not what this does.
	 */
	public float[] multiScale(BufferedImage image) {
		int w = image.getWidth();
		int h = image.getHeight();
		int each = 3 * size * size;
		float[] out = new float[MULTI_SCALE_CROPS * each];
		int[] pixels = pixels(image);
		int[] shortSides = multiScaleResizes();
		for (int s = 0; s < shortSides.length; s++) {
			int[] resized = resizedSize(w, h, shortSides[s]);
			int[] centre = { (int) Math.rint((resized[0] - size) / 2.0), (int) Math.rint((resized[1] - size) / 2.0) };
			cropAndMirror(pixels, w, h, resized, centre, out, 2 * s * each, (2 * s + 1) * each);
		}
		return out;
	}

	/** The short sides {@link #multiScale} resizes to, smallest first: {@code imageSize} times 1, 256/224, 288/224. */
	public int[] multiScaleResizes() {
		int[] sides = new int[MULTI_SCALE_RATIOS.length];
		for (int i = 0; i < sides.length; i++) {
			sides[i] = (int) Math.round(size * MULTI_SCALE_RATIOS[i]);
		}
		return sides;
	}

	/**
	 * The square at {@code corner} of the image resized to {@code resized}, normalised into {@code out} at
	 * {@code at}, and its mirror at {@code mirroredAt}.
	 */
	private void cropAndMirror(int[] pixels, int w, int h, int[] resized, int[] corner, float[] out, int at,
			int mirroredAt) {
		int[] square = crop(pixels, w, h, resized, corner[0], corner[1]);
		normalise(square, out, at);
		mirror(square);
		normalise(square, out, mirroredAt);
	}

	/**
	 * The short side {@link #tenCrops} resizes to: {@code imageSize * 256 / 224}, rounded (AlexNet's and VGG's 256
	 * for 224-pixel crops; 73 for 64), so every crop leaves out an eighth of the side.
	 */
	public int tenCropResize() {
		return (int) Math.round(size * TEN_CROP_RATIO);
	}

	/** torchvision's {@code Resize}: the short side to {@code target}, the long side truncated. */
	private static int[] resizedSize(int w, int h, int target) {
		int shortSide = Math.min(w, h);
		int rw = w == shortSide ? target : (int) ((double) target * w / shortSide);
		int rh = h == shortSide ? target : (int) ((double) target * h / shortSide);
		return new int[] { rw, rh };
	}

	/** The {@code imageSize} square at {@code (left, top)} of the image resized to {@code resized}. */
	private int[] crop(int[] pixels, int w, int h, int[] resized, int left, int top) {
		return Resampling.resample(pixels, w, resampling.axis(w, 0, w, resized[0], left, size),
				resampling.axis(h, 0, h, resized[1], top, size));
	}

	private void normalise(int[] pixels, float[] out, int offset) {
		int plane = size * size;
		for (int i = 0; i < plane; i++) {
			int px = pixels[i];
			out[offset + i] = (((px >> 16) & 0xff) / 255f - mean[0]) / std[0];
			out[offset + i + plane] = (((px >> 8) & 0xff) / 255f - mean[1]) / std[1];
			out[offset + i + 2 * plane] = ((px & 0xff) / 255f - mean[2]) / std[2];
		}
	}

	private void jittered(int[] pixels, float brightness, float contrast, float saturation, float[] shift,
			float[] out, int offset) {
		int plane = size * size;
		float meanGray = contrast == 1 ? 0 : meanGray(pixels);
		for (int i = 0; i < plane; i++) {
			int rgb = pixels[i];
			float r = ((rgb >> 16) & 0xff) / 255f * brightness;
			float g = ((rgb >> 8) & 0xff) / 255f * brightness;
			float b = (rgb & 0xff) / 255f * brightness;
			if (contrast != 1) {
				r = (r - meanGray * brightness) * contrast + meanGray * brightness;
				g = (g - meanGray * brightness) * contrast + meanGray * brightness;
				b = (b - meanGray * brightness) * contrast + meanGray * brightness;
			}
			if (saturation != 1) {
				float gray = gray(r, g, b);
				r = gray + (r - gray) * saturation;
				g = gray + (g - gray) * saturation;
				b = gray + (b - gray) * saturation;
			}
			out[offset + i] = (clamp(r) + shift[0] - mean[0]) / std[0];
			out[offset + i + plane] = (clamp(g) + shift[1] - mean[1]) / std[1];
			out[offset + i + 2 * plane] = (clamp(b) + shift[2] - mean[2]) / std[2];
		}
	}

	private void mirror(int[] pixels) {
		for (int row = 0; row < size * size; row += size) {
			for (int i = 0, j = size - 1; i < j; i++, j--) {
				int swap = pixels[row + i];
				pixels[row + i] = pixels[row + j];
				pixels[row + j] = swap;
			}
		}
	}

	/** The packed RGB pixels, row by row; the raster's own array where it holds exactly those. */
	private static int[] pixels(BufferedImage image) {
		BufferedImage rgb = ImageDecoder.toRgb(image);
		if (rgb.getRaster().getParent() == null) {
			// getRGB would convert pixel by pixel through the colour model
			return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
		}
		return rgb.getRGB(0, 0, rgb.getWidth(), rgb.getHeight(), null, 0, rgb.getWidth());
	}

	private static float jitter(Random random) {
		return (float) (1 - JITTER + 2 * JITTER * random.nextDouble());
	}

	private static float meanGray(int[] pixels) {
		double sum = 0;
		for (int rgb : pixels) {
			sum += gray(((rgb >> 16) & 0xff) / 255f, ((rgb >> 8) & 0xff) / 255f, (rgb & 0xff) / 255f);
		}
		return (float) (sum / pixels.length);
	}

	private static float gray(float r, float g, float b) {
		return 0.299f * r + 0.587f * g + 0.114f * b;
	}

	private static float clamp(float value) {
		return Math.max(0f, Math.min(1f, value));
	}

	private static float[] toArray(List<Float> values) {
		float[] array = new float[values.size()];
		for (int i = 0; i < array.length; i++) {
			array[i] = values.get(i);
		}
		return array;
	}

}
