package io.deepserve.web;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

import io.deepserve.error.DeepserveException;

/**
 * How every problem+json body looks. Public for the few places that answer before Spring MVC does (servlet
 * filters); everything else throws {@link DeepserveException}.
 */
public final class Problems {

	private Problems() {
	}

	public static ProblemDetail of(HttpStatusCode status, String code, String detail) {
		ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, detail);
		decorate(pd, status, code);
		return pd;
	}

	static void decorate(ProblemDetail pd, HttpStatusCode status, String code) {
		pd.setType(URI.create("https://deepserve.io/problems/" + code.replace('_', '-')));
		HttpStatus known = HttpStatus.resolve(status.value());
		pd.setTitle(known != null ? known.getReasonPhrase() : "Error");
		pd.setProperty("code", code);
	}

}
