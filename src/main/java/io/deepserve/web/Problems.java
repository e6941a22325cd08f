package io.deepserve.web;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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

	/** The machine word for a status with no more specific code: {@code not_found}, {@code bad_request}, ... */
	static String codeOf(HttpStatusCode status) {
		HttpStatus known = HttpStatus.resolve(status.value());
		return known != null ? known.name().toLowerCase(Locale.ROOT) : "error";
	}

	/** The JSON members of {@code pd}, for writers without Spring's ProblemDetail mix-in. */
	static Map<String, Object> asMap(ProblemDetail pd) {
		Map<String, Object> members = new LinkedHashMap<>();
		members.put("type", pd.getType().toString());
		members.put("title", pd.getTitle());
		members.put("status", pd.getStatus());
		members.put("detail", pd.getDetail());
		if (pd.getProperties() != null) {
			members.putAll(pd.getProperties());
		}
		return members;
	}

	static void decorate(ProblemDetail pd, HttpStatusCode status, String code) {
		pd.setType(URI.create("https://deepserve.io/problems/" + code.replace('_', '-')));
		HttpStatus known = HttpStatus.resolve(status.value());
		pd.setTitle(known != null ? known.getReasonPhrase() : "Error");
		pd.setProperty("code", code);
	}

}
