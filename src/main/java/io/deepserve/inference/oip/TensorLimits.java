package io.deepserve.inference.oip;

/**
 * What one infer request to a resolved version may hold, known before its body is read.
 * @param maxRows the version's queue size: a request with more inputs could never be queued whole
 * @param maxElements most numbers the data may hold
 * @param maxImageBytes largest decoded BYTES item; 0 when the version takes no BYTES input
 */
record TensorLimits(int maxRows, long maxElements, long maxImageBytes) {

	/** Room for the JSON around the data: id, names, shape, parameters. */
	private static final long ENVELOPE = 64 * 1024;

	/**
	 * A number takes at most about 16 characters of JSON plus a separator; base64 takes 4 characters for every 3
	 * bytes, plus quotes and a comma.
	 */
	long maxBodyBytes() {
		long numbers = maxElements * 20;
		long images = maxImageBytes == 0 ? 0 : maxRows * ((maxImageBytes + 2) / 3 * 4 + 3);
		return Math.max(numbers, images) + ENVELOPE;
	}

}
