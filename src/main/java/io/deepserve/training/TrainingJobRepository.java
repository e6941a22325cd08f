package io.deepserve.training;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.stereotype.Repository;

import io.deepserve.registry.Task;
import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingJob.Progress;
import io.deepserve.training.TrainingJob.Status;

/**
 * The {@code training_jobs} table, which is also the queue: every status change is a conditional UPDATE, so a
 * job is claimed by one worker and a finished job never changes again. A RUNNING job carries its owner and a
 * lease the owner renews; only the owner renews or finishes it, and an expired lease fails it for good.
 */
@Repository
class TrainingJobRepository {

	private static final String SELECT = "SELECT id, model, task, architecture, dataset, request, status, progress,"
			+ " history, result_model, error, device, created_at, started_at, finished_at FROM training_jobs";

	private static final TypeReference<List<EpochResult>> HISTORY = new TypeReference<>() {
	};

	private final JdbcClient jdbc;

	private final ObjectMapper json;

	/** PostgreSQL skips rows other instances are claiming instead of queueing behind their locks. */
	private final boolean skipLocked;

	TrainingJobRepository(JdbcClient jdbc, ObjectMapper json, DataSource dataSource) throws MetaDataAccessException {
		this.jdbc = jdbc;
		this.json = json;
		this.skipLocked = "PostgreSQL".equals(
				JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName));
	}

	void insert(TrainingJob job) {
		jdbc.sql("INSERT INTO training_jobs (id, model, task, architecture, dataset, request, status, history,"
				+ " created_at) VALUES (:id, :model, :task, :architecture, :dataset, :request, :status, :history,"
				+ " :createdAt)")
			.param("id", job.id())
			.param("model", job.model())
			.param("task", job.task().id())
			.param("architecture", job.architecture())
			.param("dataset", job.dataset())
			.param("request", write(job.request()))
			.param("status", job.status().name())
			.param("history", write(job.history()))
			.param("createdAt", time(job.createdAt()))
			.update();
	}

	Optional<TrainingJob> find(String id) {
		return jdbc.sql(SELECT + " WHERE id = :id").param("id", id).query(this::row).optional();
	}

	/** Oldest first; only those in {@code status} unless it is null. */
	List<TrainingJob> list(Status status) {
		if (status == null) {
			return jdbc.sql(SELECT + " ORDER BY created_at, id").query(this::row).list();
		}
		return jdbc.sql(SELECT + " WHERE status = :status ORDER BY created_at, id")
			.param("status", status.name())
			.query(this::row)
			.list();
	}

	/** The oldest QUEUED job, now RUNNING and leased to {@code owner}; empty when none is left or others won. */
	Optional<TrainingJob> claimOldest(String owner) {
		return skipLocked ? claimSkippingLocked(owner) : claimConditionally(owner);
	}

	private Optional<TrainingJob> claimSkippingLocked(String owner) {
		Instant now = Instant.now();
		return jdbc.sql("UPDATE training_jobs SET status = 'RUNNING', started_at = :now, owner = :owner,"
				+ " heartbeat_at = :now WHERE id = (SELECT id FROM training_jobs WHERE status = 'QUEUED'"
				+ " ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) AND status = 'QUEUED' RETURNING id")
			.param("now", time(now))
			.param("owner", owner)
			.query(String.class)
			.optional()
			.flatMap(this::find);
	}

	/** Racing workers may pick the same row; the status condition lets exactly one of them have it. */
	private Optional<TrainingJob> claimConditionally(String owner) {
		List<String> queued = jdbc.sql("SELECT id FROM training_jobs WHERE status = 'QUEUED'"
				+ " ORDER BY created_at, id LIMIT 5").query(String.class).list();
		for (String id : queued) {
			Instant now = Instant.now();
			int claimed = jdbc.sql("UPDATE training_jobs SET status = 'RUNNING', started_at = :now, owner = :owner,"
					+ " heartbeat_at = :now WHERE id = :id AND status = 'QUEUED'")
				.param("now", time(now))
				.param("owner", owner)
				.param("id", id)
				.update();
			if (claimed == 1) {
				return find(id);
			}
		}
		return Optional.empty();
	}

	/** What renewing a lease found. */
	enum Lease {

		/** Still ours, carry on. */
		HELD,
		/** Still ours, and someone asked for it to be cancelled. */
		CANCEL_REQUESTED,
		/** No longer RUNNING under this owner: another instance found the lease expired and failed the job. */
		LOST

	}

	Lease renew(String id, String owner) {
		int renewed = jdbc.sql("UPDATE training_jobs SET heartbeat_at = :now WHERE id = :id AND owner = :owner"
				+ " AND status = 'RUNNING'")
			.param("now", time(Instant.now()))
			.param("id", id)
			.param("owner", owner)
			.update();
		if (renewed == 0) {
			return Lease.LOST;
		}
		boolean cancel = jdbc.sql("SELECT cancel_requested FROM training_jobs WHERE id = :id")
			.param("id", id)
			.query(Boolean.class)
			.single();
		return cancel ? Lease.CANCEL_REQUESTED : Lease.HELD;
	}

	/** Marks a RUNNING job for cancellation by whichever instance runs it; false when it is not RUNNING. */
	boolean requestCancel(String id) {
		return jdbc.sql("UPDATE training_jobs SET cancel_requested = TRUE WHERE id = :id AND status = 'RUNNING'")
			.param("id", id)
			.update() == 1;
	}

	/** RUNNING jobs whose lease ran out before {@code cutoff} are FAILED; returns how many. */
	int failExpired(Instant cutoff) {
		return jdbc.sql("UPDATE training_jobs SET status = 'FAILED', error = 'worker lost: ' || owner"
				+ " || ' stopped renewing its lease', finished_at = :now"
				+ " WHERE status = 'RUNNING' AND owner IS NOT NULL AND heartbeat_at < :cutoff")
			.param("now", time(Instant.now()))
			.param("cutoff", time(cutoff))
			.update();
	}

	/** How many jobs are in each status; statuses with none are left out. */
	Map<Status, Long> countByStatus() {
		Map<Status, Long> counts = new EnumMap<>(Status.class);
		jdbc.sql("SELECT status, COUNT(*) AS n FROM training_jobs GROUP BY status")
			.query((rs, rowNum) -> counts.put(Status.valueOf(rs.getString("status")), rs.getLong("n")))
			.list();
		return counts;
	}

	void started(String id, String device) {
		jdbc.sql("UPDATE training_jobs SET device = :device WHERE id = :id").param("device", device).param("id", id)
			.update();
	}

	void progress(String id, Progress progress, List<EpochResult> history) {
		jdbc.sql("UPDATE training_jobs SET progress = :progress, history = :history WHERE id = :id")
			.param("progress", write(progress))
			.param("history", write(history))
			.param("id", id)
			.update();
	}

	/** Finishes a job this owner runs; false when it is no longer RUNNING under {@code owner}. */
	boolean finishOwned(String id, String owner, Status to, String resultModel, String error) {
		return jdbc.sql("UPDATE training_jobs SET status = :to, result_model = :result, error = :error,"
				+ " finished_at = :now WHERE id = :id AND status = 'RUNNING' AND owner = :owner")
			.param("to", to.name())
			.param("result", resultModel)
			.param("error", error)
			.param("now", time(Instant.now()))
			.param("id", id)
			.param("owner", owner)
			.update() == 1;
	}

	/**
	 * Finishes a job this owner runs as SUCCEEDED, unless a cancel was requested: false then, or when it is no
	 * longer RUNNING under {@code owner}. Run in the transaction that registers its model, a cancel accepted before
	 * that commits wins over it.
	 */
	boolean succeedOwned(String id, String owner, String resultModel) {
		return jdbc.sql("UPDATE training_jobs SET status = 'SUCCEEDED', result_model = :result, finished_at = :now"
				+ " WHERE id = :id AND status = 'RUNNING' AND owner = :owner AND cancel_requested = FALSE")
			.param("result", resultModel)
			.param("now", time(Instant.now()))
			.param("id", id)
			.param("owner", owner)
			.update() == 1;
	}

	/** Moves a job from {@code from} to a finished status; false when it was not in {@code from}. */
	boolean finish(String id, Status from, Status to, String resultModel, String error) {
		return jdbc.sql("UPDATE training_jobs SET status = :to, result_model = :result, error = :error,"
				+ " finished_at = :now WHERE id = :id AND status = :from")
			.param("to", to.name())
			.param("result", resultModel)
			.param("error", error)
			.param("now", time(Instant.now()))
			.param("id", id)
			.param("from", from.name())
			.update() == 1;
	}

	/**
	 * Jobs this instance's previous process left RUNNING can never finish: they are FAILED. Jobs with no owner
	 * date from before leases, when one instance was all there was.
	 */
	int failRunningOf(String owner, String error) {
		return jdbc.sql("UPDATE training_jobs SET status = 'FAILED', error = :error, finished_at = :now"
				+ " WHERE status = 'RUNNING' AND (owner = :owner OR owner IS NULL)")
			.param("error", error)
			.param("owner", owner)
			.param("now", time(Instant.now()))
			.update();
	}

	private TrainingJob row(ResultSet rs, int rowNum) throws SQLException {
		String history = rs.getString("history");
		String progress = rs.getString("progress");
		return new TrainingJob(rs.getString("id"), rs.getString("model"), Task.of(rs.getString("task")),
				rs.getString("architecture"), rs.getString("dataset"),
				read(rs.getString("request"), TrainingRequest.class), Status.valueOf(rs.getString("status")),
				progress == null ? null : read(progress, Progress.class),
				history == null ? List.of() : read(history, HISTORY), rs.getString("result_model"),
				rs.getString("error"), rs.getString("device"), instant(rs, "created_at"), instant(rs, "started_at"),
				instant(rs, "finished_at"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
		return time == null ? null : time.toInstant();
	}

	private static OffsetDateTime time(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	private String write(Object value) {
		try {
			return json.writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private <T> T read(String text, Class<T> type) {
		try {
			return json.readValue(text, type);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("unreadable training job column: " + ex.getOriginalMessage(), ex);
		}
	}

	private <T> T read(String text, TypeReference<T> type) {
		try {
			return json.readValue(text, type);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("unreadable training job column: " + ex.getOriginalMessage(), ex);
		}
	}

}
