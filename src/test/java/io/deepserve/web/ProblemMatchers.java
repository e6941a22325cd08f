package io.deepserve.web;

import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultMatcher;

import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** What every error answer shares (API.md): its status, problem+json, and a {@code code}. */
public final class ProblemMatchers {

	private ProblemMatchers() {
	}

	public static ResultMatcher problem(int status, String code) {
		return ResultMatcher.matchAll(status().is(status),
				content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON),
				jsonPath("$.status").value(status), jsonPath("$.code").value(code));
	}

}
