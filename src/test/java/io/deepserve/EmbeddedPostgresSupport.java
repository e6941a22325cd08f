package io.deepserve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL server (zonky's binaries, from Maven) for the whole test run, started on first use; every
 * caller gets a fresh empty database in it, so Flyway migrates from nothing each time.
 */
public final class EmbeddedPostgresSupport {

	private static final AtomicInteger DATABASES = new AtomicInteger();

	private static EmbeddedPostgres server;

	private EmbeddedPostgresSupport() {
	}

	/** Command-line arguments pointing an application at a new database on the shared server. */
	public static List<String> newDatabaseArgs() {
		String name = "deepserve_" + DATABASES.incrementAndGet();
		EmbeddedPostgres pg = server();
		try (Connection connection = pg.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot create test database " + name, ex);
		}
		return List.of("--spring.datasource.url=" + pg.getJdbcUrl("postgres", name),
				"--spring.datasource.username=postgres", "--spring.datasource.password=");
	}

	private static synchronized EmbeddedPostgres server() {
		if (server == null) {
			try {
				server = EmbeddedPostgres.builder().start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("embedded PostgreSQL did not start", ex);
			}
			EmbeddedPostgres started = server;
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					started.close();
				}
				catch (IOException ex) {
					// the JVM is exiting; the server's directory is temporary
				}
			}));
		}
		return server;
	}

}
