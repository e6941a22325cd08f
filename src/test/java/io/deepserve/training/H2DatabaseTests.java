package io.deepserve.training;

import java.util.List;

/** The database contract on the embedded default: H2 in PostgreSQL mode, a file under the data directory. */
class H2DatabaseTests extends DatabaseContract {

	@Override
	List<String> databaseArgs() {
		return List.of();
	}

}
