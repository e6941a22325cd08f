package io.deepserve.web;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.deepserve.error.InvalidInputException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestJsonTests {

	record Settings(Integer epochs, Float learningRate, Boolean augment, String optimizer) {
	}

	record Body(String model, Settings hyperparameters, List<Long> shape) {
	}

	final ObjectMapper strict = RequestJson.strict(new ObjectMapper());

	@Test
	void readsWhatIsWrittenAsItsOwnType() {
		Body body = read("""
				{"model": "m", "hyperparameters": {"epochs": 2, "learningRate": 0.5, "augment": false,
				 "optimizer": "sgd"}, "shape": [1, 3]}""");
		assertThat(body).isEqualTo(new Body("m", new Settings(2, 0.5f, false, "sgd"), List.of(1L, 3L)));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "{\"epocs\": 2}|unknown_field|'epocs'",
			"{\"hyperparameters\": {\"epocs\": 2}}|unknown_field|'hyperparameters.epocs'",
			"{\"hyperparameters\": {\"epochs\": 1.5}}|invalid_json|'hyperparameters.epochs' in the body must be a whole",
			"{\"hyperparameters\": {\"epochs\": \"5\"}}|invalid_json|'hyperparameters.epochs'",
			"{\"hyperparameters\": {\"learningRate\": \"Infinity\"}}|invalid_json|'hyperparameters.learningRate'",
			"{\"hyperparameters\": {\"learningRate\": 1e999}}|invalid_json|must be a finite number",
			"{\"hyperparameters\": {\"augment\": 1}}|invalid_json|'hyperparameters.augment'",
			"{\"model\": 5}|invalid_json|'model' in the body must be a string",
			"{\"shape\": [1, 2.5]}|invalid_json|'shape[1]'",
			"{\"hyperparameters\": {\"epochs\": 99999999999}}|invalid_json|not valid JSON",
			"{\"model\": |invalid_json|not valid JSON", "null|invalid_json|not null" })
	void refusesWhatWouldOtherwiseBeGuessed(String json, String code, String detail) {
		assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(InvalidInputException.class, ex -> {
			assertThat(ex.code()).isEqualTo(code);
			assertThat(ex.getMessage()).contains(detail);
		});
	}

	@Test
	void anUnknownFieldIsToldTheKnownOnes() {
		assertThatThrownBy(() -> read("{\"hyperparameters\": {\"epocs\": 2}}"))
			.hasMessageContaining("[augment, epochs, learningRate, optimizer]");
	}

	private Body read(String json) {
		return RequestJson.read(strict, json, Body.class, "invalid_json", "the body");
	}

}
