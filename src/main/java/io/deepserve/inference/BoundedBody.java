package io.deepserve.inference;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.deepserve.error.PayloadTooLargeException;

/**
 * A request body read only up to a limit the endpoint worked out for the model it names: refused by its
 * {@code Content-Length} before a byte is read, or the moment the bytes read pass the limit (chunked bodies declare
 * no length, and a declared one may lie).
 */
public final class BoundedBody extends FilterInputStream {

	private final long limit;

	private final String what;

	private long read;

	private BoundedBody(InputStream in, long limit, String what) {
		super(in);
		this.limit = limit;
		this.what = what;
	}

	/**
	 * @param declaredLength the {@code Content-Length}, or -1 when none was sent
	 * @param what names the limit in the 413's detail, e.g. {@code "the request to resnet:3"}
	 */
	public static InputStream open(InputStream in, long declaredLength, long limit, String what) {
		if (declaredLength > limit) {
			throw tooLarge(limit, what);
		}
		return new BoundedBody(in, limit, what);
	}

	@Override
	public int read() throws IOException {
		int b = super.read();
		if (b >= 0) {
			count(1);
		}
		return b;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n = super.read(buffer, offset, length);
		if (n > 0) {
			count(n);
		}
		return n;
	}

	@Override
	public long skip(long n) throws IOException {
		long skipped = super.skip(n);
		count(skipped);
		return skipped;
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	private void count(long n) {
		read += n;
		if (read > limit) {
			throw tooLarge(limit, what);
		}
	}

	private static PayloadTooLargeException tooLarge(long limit, String what) {
		return new PayloadTooLargeException(what + " may be at most " + limit + " bytes");
	}

}
