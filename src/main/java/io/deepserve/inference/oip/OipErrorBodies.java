package io.deepserve.inference.oip;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * The protocol's error body is {@code {"error": "..."}}, and KServe/Triton clients read that field; on
 * {@code /v2/...} paths the usual problem+json also carries its detail as {@code error}.
 */
@RestControllerAdvice
class OipErrorBodies implements ResponseBodyAdvice<Object> {

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
			Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		if (body instanceof ProblemDetail problem && request.getURI().getPath().startsWith("/v2/")) {
			problem.setProperty("error", problem.getDetail());
		}
		return body;
	}

}
