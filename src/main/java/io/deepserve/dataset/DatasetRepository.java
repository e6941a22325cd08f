package io.deepserve.dataset;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code datasets} table: one row per stored dataset file, its summary kept as JSON text. */
@Repository
class DatasetRepository {

	private static final String SELECT = "SELECT id, name, kind, artifact_key, sha256, size_bytes, summary, created_at"
			+ " FROM datasets";

	private final JdbcClient jdbc;

	private final ObjectMapper json;

	DatasetRepository(JdbcClient jdbc, ObjectMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/** A dataset and the artifact key its file is stored under. */
	record Row(Dataset dataset, String artifactKey) {
	}

	void insert(Dataset dataset, Summary summary, String artifactKey) {
		jdbc.sql("INSERT INTO datasets (id, name, kind, artifact_key, sha256, size_bytes, summary, created_at)"
				+ " VALUES (:id, :name, :kind, :key, :sha256, :size, :summary, :createdAt)")
			.param("id", dataset.id())
			.param("name", dataset.name())
			.param("kind", dataset.kind())
			.param("key", artifactKey)
			.param("sha256", dataset.sha256())
			.param("size", dataset.sizeBytes())
			.param("summary", write(summary))
			.param("createdAt", dataset.createdAt().atOffset(ZoneOffset.UTC))
			.update();
	}

	Optional<Row> find(String id) {
		return jdbc.sql(SELECT + " WHERE id = :id").param("id", id).query(this::row).optional();
	}

	/** Oldest first; only those called {@code name} unless it is null. */
	List<Dataset> list(String name) {
		String where = name == null ? "" : " WHERE name = :name";
		JdbcClient.StatementSpec statement = jdbc.sql(SELECT + where + " ORDER BY created_at, id");
		if (name != null) {
			statement = statement.param("name", name);
		}
		return statement.query(this::row).list().stream().map(Row::dataset).toList();
	}

	boolean delete(String id) {
		return jdbc.sql("DELETE FROM datasets WHERE id = :id").param("id", id).update() > 0;
	}

	private Row row(ResultSet rs, int rowNum) throws SQLException {
		Dataset dataset = read(rs.getString("summary")).toDataset(rs.getString("id"), rs.getString("name"),
				rs.getString("kind"), rs.getString("sha256"), rs.getLong("size_bytes"),
				rs.getObject("created_at", OffsetDateTime.class).toInstant());
		return new Row(dataset, rs.getString("artifact_key"));
	}

	private String write(Summary summary) {
		try {
			return json.writeValueAsString(summary);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("a summary is always serialisable", ex);
		}
	}

	private Summary read(String text) {
		try {
			return json.readValue(text, Summary.class);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("the stored summary of a dataset is not valid JSON", ex);
		}
	}

}
