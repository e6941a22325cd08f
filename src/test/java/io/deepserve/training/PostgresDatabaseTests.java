package io.deepserve.training;

import java.util.List;

import io.deepserve.EmbeddedPostgresSupport;

/** The database contract on a real PostgreSQL server, where claims use {@code FOR UPDATE SKIP LOCKED}. */
class PostgresDatabaseTests extends DatabaseContract {

	@Override
	List<String> databaseArgs() {
		return EmbeddedPostgresSupport.newDatabaseArgs();
	}

}
