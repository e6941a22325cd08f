package io.deepserve.web;

import java.io.IOException;
import java.util.Collection;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.deepserve.error.InvalidInputException;

/**
 * How JSON request bodies are read: a misspelt field is refused rather than silently defaulted ({@code "epocs": 2}
 * would otherwise train 10 epochs), and a number is taken only as the type it is written as, and finite.
 */
public final class RequestJson {

	private RequestJson() {
	}

	/** A copy of {@code base} that refuses unknown fields, type coercions and non-finite numbers. */
	public static ObjectMapper strict(ObjectMapper base) {
		ObjectMapper strict = base.copy()
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
		for (LogicalType type : new LogicalType[] { LogicalType.Integer, LogicalType.Float, LogicalType.Boolean }) {
			strict.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
		}
		strict.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
		for (CoercionInputShape shape : new CoercionInputShape[] { CoercionInputShape.Integer,
				CoercionInputShape.Float, CoercionInputShape.Boolean }) {
			strict.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
		}
		SimpleModule finite = new SimpleModule("finite-numbers");
		finite.addDeserializer(Float.class, new FiniteFloat(Float.class, null));
		finite.addDeserializer(Float.TYPE, new FiniteFloat(Float.TYPE, 0f));
		finite.addDeserializer(Double.class, new FiniteDouble(Double.class, null));
		finite.addDeserializer(Double.TYPE, new FiniteDouble(Double.TYPE, 0d));
		return strict.registerModule(finite);
	}

	/**
	 * Reads {@code text} as a {@code type} with a {@link #strict} mapper.
	 * @param code the code for JSON that is not readable at all
	 * @param what names the text in messages, such as "the metadata part"
	 */
	public static <T> T read(ObjectMapper strict, String text, Class<T> type, String code, String what) {
		T value;
		try {
			value = strict.readValue(text, type);
		}
		catch (JsonProcessingException ex) {
			throw refusal(ex, code, what);
		}
		if (value == null) {
			throw new InvalidInputException(code, what + " must be a JSON object, not null");
		}
		return value;
	}

	/** {@code unknown_field} for a field that is not there, else {@code code}, naming the field where it can. */
	static InvalidInputException refusal(JsonProcessingException ex, String code, String what) {
		if (ex instanceof UnrecognizedPropertyException unknown) {
			String field = path(unknown);
			Collection<Object> known = unknown.getKnownPropertyIds();
			return new InvalidInputException("unknown_field", "unknown field '" + field + "' in " + what
					+ (known == null || known.isEmpty() ? ""
							: "; the fields there are " + known.stream()
								.map(String::valueOf)
								.sorted()
								.collect(Collectors.joining(", ", "[", "]"))));
		}
		if (ex instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()
				&& mismatch.getTargetType() != null) {
			return new InvalidInputException(code,
					"field '" + path(mismatch) + "' in " + what + " must be " + describe(mismatch.getTargetType()));
		}
		return new InvalidInputException(code, what + " is not valid JSON for this endpoint: "
				+ ex.getOriginalMessage());
	}

	private static String path(JsonMappingException ex) {
		StringBuilder path = new StringBuilder();
		for (JsonMappingException.Reference ref : ex.getPath()) {
			if (ref.getFieldName() != null) {
				path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
			}
			else if (ref.getIndex() >= 0) {
				path.append('[').append(ref.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	private static String describe(Class<?> type) {
		if (type == Integer.class || type == Integer.TYPE || type == Long.class || type == Long.TYPE) {
			return "a whole number";
		}
		if (type == Float.class || type == Float.TYPE || type == Double.class || type == Double.TYPE) {
			return "a finite number";
		}
		if (type == Boolean.class || type == Boolean.TYPE) {
			return "true or false";
		}
		if (type == String.class) {
			return "a string";
		}
		if (Collection.class.isAssignableFrom(type) || type.isArray()) {
			return "an array";
		}
		return "a JSON object";
	}

	private static final class FiniteFloat extends NumberDeserializers.FloatDeserializer {

		FiniteFloat(Class<Float> type, Float nullValue) {
			super(type, nullValue);
		}

		@Override
		public Float deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
			Float value = super.deserialize(p, ctxt);
			if (value != null && !Float.isFinite(value)) {
				throw MismatchedInputException.from(p, Float.class, "not a finite number: " + p.getText());
			}
			return value;
		}

	}

	private static final class FiniteDouble extends NumberDeserializers.DoubleDeserializer {

		FiniteDouble(Class<Double> type, Double nullValue) {
			super(type, nullValue);
		}

		@Override
		public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
			Double value = super.deserialize(p, ctxt);
			if (value != null && !Double.isFinite(value)) {
				throw MismatchedInputException.from(p, Double.class, "not a finite number: " + p.getText());
			}
			return value;
		}

	}

}
