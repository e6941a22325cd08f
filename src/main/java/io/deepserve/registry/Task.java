package io.deepserve.registry;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a model does; each task has a training and a serving plug-in. Written as its {@link #id()} everywhere. */
public enum Task {

	IMAGE_CLASSIFICATION("image-classification"),
	FORECASTING("forecasting");

	private final String id;

	Task(String id) {
		this.id = id;
	}

	@JsonValue
	public String id() {
		return id;
	}

	/** @throws IllegalArgumentException for a task deepserve does not know */
	@JsonCreator
	public static Task of(String id) {
		return Arrays.stream(values())
			.filter(t -> t.id.equals(id))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("task must be one of " + ids() + ", not '" + id + "'"));
	}

	public static List<String> ids() {
		return Arrays.stream(values()).map(Task::id).toList();
	}

	@Override
	public String toString() {
		return id;
	}

}
