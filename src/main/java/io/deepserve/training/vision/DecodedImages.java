package io.deepserve.training.vision;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.HashMap;
import java.util.Map;

import io.deepserve.dataset.ImageFolder;
import io.deepserve.dataset.ImageFolder.Entry;

/**
 * Decoded training images kept between epochs, so each image is inflated and decoded once rather than once per
 * epoch. The cache takes images in the order they are first read until it holds a quarter of the maximum heap
 * (at most 512 MB); past that, images are decoded each time they are needed. One job's loop uses it from one
 * thread.
 */
final class DecodedImages {

	private static final long MAX_BYTES = 512L << 20;

	private final ImageFolder images;

	private final long budget;

	private final Map<Entry, BufferedImage> cache = new HashMap<>();

	private long bytes;

	DecodedImages(ImageFolder images) {
		this(images, Math.min(MAX_BYTES, Runtime.getRuntime().maxMemory() / 4));
	}

	DecodedImages(ImageFolder images, long budget) {
		this.images = images;
		this.budget = budget;
	}

	BufferedImage read(Entry entry) {
		BufferedImage cached = cache.get(entry);
		if (cached != null) {
			return cached;
		}
		BufferedImage image = images.read(entry);
		long size = (long) image.getWidth() * image.getHeight()
				* (image.getRaster().getDataBuffer() instanceof DataBufferInt ? 4 : 8);
		if (bytes + size <= budget) {
			cache.put(entry, image);
			bytes += size;
		}
		return image;
	}

}
