package io.deepserve.web;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.test.web.servlet.MockMvc;

import static io.deepserve.web.ProblemMatchers.problem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;

/** What the container's error forward answers: the status it carries, as problem+json, and nothing of a 500's cause. */
@WebMvcTest(ProblemErrorController.class)
class ProblemErrorControllerTests {

	@Autowired
	MockMvc mvc;

	@Test
	void aForwardedStatusKeepsItsStatusAndGetsItsCode() throws Exception {
		// a filter's refusal arrives on the method of the request it refused
		mvc.perform(post("/error").requestAttr(RequestDispatcher.ERROR_STATUS_CODE, 413))
			.andExpect(problem(413, "payload_too_large"))
			.andExpect(jsonPath("$.detail").value("Payload Too Large"));
		mvc.perform(get("/error").requestAttr(RequestDispatcher.ERROR_STATUS_CODE, 405))
			.andExpect(problem(405, "method_not_allowed"));
	}

	@Test
	void aServerFailureSaysNothingOfItsCause() throws Exception {
		mvc.perform(get("/error").requestAttr(RequestDispatcher.ERROR_STATUS_CODE, 500)
			.requestAttr(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("secret /var/lib/deepserve")))
			.andExpect(problem(500, "internal_error"))
			.andExpect(content().string(not(containsString("/var/lib"))));
	}

	@Test
	void askedForDirectlyOrWithoutAnErrorStatusItIsNotFound() throws Exception {
		mvc.perform(get("/error"))
			.andExpect(problem(404, "not_found"))
			.andExpect(jsonPath("$.detail").value("no such resource"));
		mvc.perform(get("/error").requestAttr(RequestDispatcher.ERROR_STATUS_CODE, 200))
			.andExpect(problem(404, "not_found"));
	}

}
