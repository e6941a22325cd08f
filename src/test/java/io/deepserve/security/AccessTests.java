package io.deepserve.security;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTests {

	@ParameterizedTest
	@CsvSource({ "GET, /actuator/health, OPEN", "GET, /actuator/health/liveness, OPEN",
			"GET, /actuator/health/readiness, OPEN", "GET, /v2/health/ready, OPEN", "GET, /, OPEN",
			"GET, /index.html, OPEN", "GET, /assets/app.js, OPEN", "GET, /v3/api-docs, OPEN",
			"GET, /api/v1/models, READ", "GET, /api/v1/training-jobs/abc/events, READ",
			"GET, /actuator/prometheus, READ", "GET, /actuator/healthz, READ",
			"POST, /api/v1/models/shapes@production/classify, INFER", "POST, /api/v1/models/sine:2/forecast, INFER",
			"POST, /v2/models/tiny/versions/1/infer, INFER", "GET, /v2/models/tiny, INFER", "GET, /v2, INFER",
			"POST, /api/v1/models/tiny/versions, ADMIN", "PUT, /api/v1/models/tiny/aliases/production, ADMIN",
			"DELETE, /api/v1/datasets/abc, ADMIN", "POST, /api/v1/training-jobs/abc/cancel, ADMIN",
			"POST, /api/v1/models/a/b/classify, ADMIN", "POST, /v2/repository/models/tiny/load, ADMIN",
			"POST, /actuator/shutdown, ADMIN", "POST, /, ADMIN", "PATCH, /index.html, ADMIN" })
	void eachRequestNeedsWhatItsPathAndMethodSay(String method, String path, Access expected) {
		assertThat(Access.of(method, path)).isEqualTo(expected);
	}

}
