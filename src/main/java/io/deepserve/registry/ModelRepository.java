package io.deepserve.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Registry metadata in SQL that runs on H2 (PostgreSQL mode) and PostgreSQL alike. */
@Repository
class ModelRepository {

	private static final String VERSION_COLUMNS = "name, version, task, architecture, format, status, artifact_key, "
			+ "sha256, size_bytes, parameters, spec, created_at";

	/** The descriptive part of a version, stored as one JSON document. */
	record Spec(List<Long> inputShape, List<String> labels, Preprocessing preprocessing, ForecastSpec forecast,
			Map<String, Object> metrics, Lineage lineage, Map<String, Object> serving,
			ArchitectureOptions architectureOptions) {
	}

	record ModelRow(String name, Task task, Instant createdAt) {
	}

	record AliasChange(String alias, Integer fromVersion, Integer toVersion, Instant changedAt, String changedBy) {
	}

	private final JdbcClient jdbc;

	private final ObjectMapper json;

	ModelRepository(JdbcClient jdbc, ObjectMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/**
	 * Creates the model row if it is new. Two racing creators may both pass the NOT EXISTS test; the loser gets
	 * a {@link org.springframework.dao.DuplicateKeyException}, so call this in a transaction of its own.
	 */
	void ensureModel(String name, Task task, Instant now) {
		jdbc.sql("INSERT INTO models (name, task, next_version, created_at) SELECT ?, ?, 1, ? "
				+ "WHERE NOT EXISTS (SELECT 1 FROM models WHERE name = ?)")
			.params(name, task.id(), utc(now), name)
			.update();
	}

	/** Takes the model row's lock for the rest of the transaction and returns the model's task. */
	Task lockModel(String name) {
		return Task.of(jdbc.sql("SELECT task FROM models WHERE name = ? FOR UPDATE").param(name).query(String.class)
			.single());
	}

	/** Takes the next version number; the row lock it holds until commit keeps numbers unique. */
	int allocateVersion(String name) {
		jdbc.sql("UPDATE models SET next_version = next_version + 1 WHERE name = ?").param(name).update();
		return jdbc.sql("SELECT next_version - 1 FROM models WHERE name = ?").param(name).query(Integer.class).single();
	}

	void insertVersion(ModelVersion v) {
		Spec spec = new Spec(v.inputShape(), v.labels(), v.preprocessing(), v.forecast(), v.metrics(), v.lineage(),
				v.serving(), v.architectureOptions());
		jdbc.sql("INSERT INTO model_versions (" + VERSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(v.name(), v.version(), v.task().id(), v.architecture(), v.format().id(), v.status().name(),
					v.artifactKey(), v.sha256(), v.sizeBytes(), v.parameters(), write(spec), utc(v.createdAt()))
			.update();
	}

	Optional<ModelRow> findModel(String name) {
		return jdbc.sql("SELECT name, task, created_at FROM models WHERE name = ?")
			.param(name)
			.query((rs, i) -> new ModelRow(rs.getString(1), Task.of(rs.getString(2)), instant(rs, 3)))
			.optional();
	}

	List<ModelRow> findModels() {
		return jdbc.sql("SELECT name, task, created_at FROM models ORDER BY name")
			.query((rs, i) -> new ModelRow(rs.getString(1), Task.of(rs.getString(2)), instant(rs, 3)))
			.list();
	}

	Optional<ModelVersion> findVersion(String name, int version) {
		return jdbc.sql("SELECT " + VERSION_COLUMNS + " FROM model_versions WHERE name = ? AND version = ?")
			.params(name, version)
			.query(this::version)
			.optional();
	}

	List<ModelVersion> findVersions(String name) {
		return jdbc.sql("SELECT " + VERSION_COLUMNS + " FROM model_versions WHERE name = ? ORDER BY version")
			.param(name)
			.query(this::version)
			.list();
	}

	Optional<Integer> latestReadyVersion(String name) {
		return jdbc.sql("SELECT MAX(version) FROM model_versions WHERE name = ? AND status = 'READY'")
			.param(name)
			.query(Integer.class)
			.optional();
	}

	Optional<Integer> latestVersion(String name) {
		return jdbc.sql("SELECT MAX(version) FROM model_versions WHERE name = ?")
			.param(name)
			.query(Integer.class)
			.optional();
	}

	void deleteVersion(String name, int version) {
		jdbc.sql("DELETE FROM model_versions WHERE name = ? AND version = ?").params(name, version).update();
	}

	Map<String, Integer> aliases(String name) {
		return jdbc.sql("SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY alias")
			.param(name)
			.query((ResultSet rs) -> {
				Map<String, Integer> aliases = new java.util.LinkedHashMap<>();
				while (rs.next()) {
					aliases.put(rs.getString(1), rs.getInt(2));
				}
				return aliases;
			});
	}

	/** Locks the alias row (if any) for the rest of the transaction and returns its version. */
	Optional<Integer> lockAlias(String name, String alias) {
		return jdbc.sql("SELECT version FROM model_aliases WHERE name = ? AND alias = ? FOR UPDATE")
			.params(name, alias)
			.query(Integer.class)
			.optional();
	}

	void upsertAlias(String name, String alias, int version, Instant now, String by) {
		int updated = jdbc.sql("UPDATE model_aliases SET version = ?, updated_at = ?, updated_by = ? "
				+ "WHERE name = ? AND alias = ?")
			.params(version, utc(now), by, name, alias)
			.update();
		if (updated == 0) {
			jdbc.sql("INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)")
				.params(name, alias, version, utc(now), by)
				.update();
		}
	}

	void deleteAlias(String name, String alias) {
		jdbc.sql("DELETE FROM model_aliases WHERE name = ? AND alias = ?").params(name, alias).update();
	}

	List<String> aliasesOf(String name, int version) {
		return jdbc.sql("SELECT alias FROM model_aliases WHERE name = ? AND version = ? ORDER BY alias")
			.params(name, version)
			.query(String.class)
			.list();
	}

	void recordAliasChange(String name, String alias, Integer from, Integer to, Instant now, String by) {
		jdbc.sql("INSERT INTO model_alias_history (name, alias, from_version, to_version, changed_at, changed_by) "
				+ "VALUES (?, ?, ?, ?, ?, ?)")
			.params(name, alias, from, to, utc(now), by)
			.update();
	}

	List<AliasChange> aliasHistory(String name, String alias) {
		return jdbc.sql("SELECT alias, from_version, to_version, changed_at, changed_by FROM model_alias_history "
				+ "WHERE name = ? AND alias = ? ORDER BY id")
			.params(name, alias)
			.query((rs, i) -> new AliasChange(rs.getString(1), (Integer) rs.getObject(2), (Integer) rs.getObject(3),
					instant(rs, 4), rs.getString(5)))
			.list();
	}

	private ModelVersion version(ResultSet rs, int row) throws SQLException {
		Spec spec = read(rs.getString("spec"));
		Long parameters = rs.getObject("parameters", Long.class);
		return new ModelVersion(rs.getString("name"), rs.getInt("version"), Task.of(rs.getString("task")),
				rs.getString("architecture"), ArtifactFormat.of(rs.getString("format")), spec.inputShape(), spec.labels(),
				spec.preprocessing(), spec.forecast(), spec.metrics(), spec.lineage(), spec.serving(),
				rs.getString("sha256"), rs.getLong("size_bytes"), parameters,
				instant(rs, "created_at"), ModelVersion.Status.valueOf(rs.getString("status")), rs.getString("artifact_key"),
				spec.architectureOptions());
	}

	private String write(Spec spec) {
		try {
			return json.writeValueAsString(spec);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("cannot serialise a model version's spec", ex);
		}
	}

	private Spec read(String text) {
		try {
			return json.readValue(text, Spec.class);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("stored model version spec is not valid JSON", ex);
		}
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	private static Instant instant(ResultSet rs, int column) throws SQLException {
		OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
		return t == null ? null : t.toInstant();
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
		return t == null ? null : t.toInstant();
	}

}
