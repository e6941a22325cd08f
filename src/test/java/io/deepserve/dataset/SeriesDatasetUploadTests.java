package io.deepserve.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.error.DeepserveException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeriesDatasetUploadTests extends DatasetTestSupport {

	/** Real files shared by every worktree; see its README. */
	static final Path SHARED = Path.of("..", "shared", "data", "series");

	@Autowired
	DatasetService datasets;

	@ParameterizedTest
	@CsvSource(delimiter = ';', value = { "datasets_EuStockMarkets.csv; t; DAX,SMI,CAC,FTSE; 1860",
			"timeSeries_MSFT.csv; date; Open,High,Low,Close,Volume; 249",
			"fBasics_DowJones30.csv; X.Y..m..d; AA,AXP,T,BA,CAT,C,KO,DD,EK,XOM,GE,GM,HWP,HD,HON,INTC,IBM,IP,JPM,JNJ,"
					+ "MCD,MRK,MSFT,MMM,MO,PG,SBC,UTX,WMT,DIS; 2529" })
	void storesTheSharedMarketSeries(String file, String timeColumn, String columns, int rows) throws IOException {
		byte[] csv = Files.readAllBytes(SHARED.resolve(file));

		ResponseEntity<JsonNode> response = upload("market", "series", file, csv);

		assertThat(response.getStatusCode()).as("%s", response.getBody()).isEqualTo(HttpStatus.CREATED);
		JsonNode body = response.getBody();
		assertThat(body.path("kind").asText()).isEqualTo("series");
		assertThat(body.path("timeColumn").asText()).isEqualTo(timeColumn);
		assertThat(body.path("columns").toString()).isEqualTo(quoted(columns));
		assertThat(body.path("rows").asInt()).isEqualTo(rows);
		assertThat(body.has("classes")).isFalse();
	}

	@Test
	void readsTheStoredColumnsBack() throws IOException {
		byte[] csv = Files.readAllBytes(SHARED.resolve("timeSeries_MSFT.csv"));
		String id = upload("msft", "series", "msft.csv", csv).getBody().path("id").asText();

		SeriesTable table = datasets.readSeries(id);

		assertThat(table.columns()).containsExactly("Open", "High", "Low", "Close", "Volume");
		assertThat(table.rows()).isEqualTo(249);
		assertThat(table.time()).hasSize(249).startsWith("2000-09-27", "2000-09-28");
		assertThat(table.column("Close")).hasSize(249).startsWith(60.625, 61.3125);
		assertThatThrownBy(() -> table.column("Adj Close")).isInstanceOf(DeepserveException.class)
			.hasFieldOrPropertyWithValue("code", "unknown_column");
	}

	@Test
	void leavesOutAnUnnamedRowIndexAndTextColumns() {
		String csv = "\"\",\"symbol\",\"value\"\r\n" + rows(12, i -> "\"" + i + "\",\"ABC\"," + i + ".5");

		JsonNode body = upload("indexed", "series", "a.csv", csv.getBytes()).getBody();

		assertThat(body.path("columns").toString()).isEqualTo("[\"value\"]");
		assertThat(body.has("timeColumn")).isFalse();
		assertThat(body.path("rows").asInt()).isEqualTo(12);
	}

	@Test
	void namesTheRowAndColumnOfAValueThatIsNotAFiniteNumber() {
		for (String bad : List.of("Infinity", "-inf", "1e999", "12abc")) {
			String csv = "date,a,b\n" + rows(12, i -> "2020-01-" + (10 + i) + ",1," + (i == 3 ? bad : "2"));
			String detail = assertProblem(upload("bad", "series", "a.csv", csv.getBytes()), HttpStatus.BAD_REQUEST,
					"invalid_number");
			assertThat(detail).contains("row 3").contains("'b'");
		}
	}

	@Test
	void keepsMissingCellsAndCountsThemPerColumn() throws IOException {
		String csv = "date,a,b\n" + rows(12, i -> "2020-01-" + (10 + i) + "," + (i == 4 ? "NA" : "1") + ","
				+ (i == 3 || i == 7 ? "" : "2"));
		ResponseEntity<JsonNode> response = upload("gaps", "series", "a.csv", csv.getBytes());
		assertThat(response.getStatusCode()).as("%s", response.getBody()).isEqualTo(HttpStatus.CREATED);
		assertThat(response.getBody().path("missing").toString()).isEqualTo("{\"a\":1,\"b\":2}");
		assertThat(response.getBody().path("frequency").asText()).isEqualTo("daily");
		double[] b = datasets.readSeries(response.getBody().path("id").asText()).column("b");
		assertThat(Double.isNaN(b[2])).isTrue();
		assertThat(b[0]).isEqualTo(2);
	}

	@Test
	void readsANewestFirstFileOldestFirstAndInfersBusinessDays() throws IOException {
		// 2024-01-01 is a Monday: ten weeks of weekdays, written newest first
		List<String> lines = new java.util.ArrayList<>();
		java.time.LocalDate date = java.time.LocalDate.of(2024, 1, 1);
		for (int i = 0; i < 50; i++) {
			lines.add(date + "," + i);
			date = date.plusDays(date.getDayOfWeek() == java.time.DayOfWeek.FRIDAY ? 3 : 1);
		}
		java.util.Collections.reverse(lines);
		String csv = "Date,Close\n" + String.join("\n", lines) + "\n";
		ResponseEntity<JsonNode> response = upload("newest-first", "series", "a.csv", csv.getBytes());
		assertThat(response.getStatusCode()).as("%s", response.getBody()).isEqualTo(HttpStatus.CREATED);
		assertThat(response.getBody().path("frequency").asText()).isEqualTo("business-day");
		SeriesTable table = datasets.readSeries(response.getBody().path("id").asText());
		assertThat(table.column("Close")[0]).isZero();
		assertThat(table.column("Close")[49]).isEqualTo(49);
		assertThat(table.time().get(0)).isEqualTo("2024-01-01");
	}

	@Test
	void refusesDuplicateDatesAndGapsInTheirFrequency() {
		String duplicate = "date,a\n" + rows(12, i -> "2020-01-" + (10 + Math.min(i, 11)) + "," + i);
		assertThat(assertProblem(upload("dup", "series", "a.csv", duplicate.getBytes()), HttpStatus.BAD_REQUEST,
				"duplicate_dates")).contains("2020-01-21");
		// twelve month ends with June missing
		String gap = "date,a\n" + rows(12, i -> java.time.YearMonth.of(2020, i).atEndOfMonth() + "," + i)
			.replace("2020-06-30,6\n", "");
		String detail = assertProblem(upload("gap", "series", "a.csv", gap.getBytes()), HttpStatus.BAD_REQUEST,
				"date_gap");
		assertThat(detail).contains("2020-05-31").contains("2020-07-31").contains("monthly");
	}

	@Test
	void refusesASeriesWithoutNumbers() {
		String csv = "date,name\n" + rows(12, i -> "2020-01-" + (10 + i) + ",x" + i);
		assertProblem(upload("bad", "series", "a.csv", csv.getBytes()), HttpStatus.BAD_REQUEST, "no_numeric_column");
	}

	@Test
	void refusesRaggedRows() {
		String csv = "date,a,b\n" + rows(12, i -> i == 5 ? "2020-01-01,1" : "2020-01-01,1,2");
		assertThat(assertProblem(upload("bad", "series", "a.csv", csv.getBytes()), HttpStatus.BAD_REQUEST,
				"ragged_row"))
			.contains("row 5");
	}

	@Test
	void refusesEmptyAndShortFiles() {
		assertProblem(upload("bad", "series", "a.csv", new byte[0]), HttpStatus.BAD_REQUEST, "empty_dataset");
		assertProblem(upload("bad", "series", "a.csv", "\n\n".getBytes()), HttpStatus.BAD_REQUEST, "empty_dataset");
		assertProblem(upload("bad", "series", "a.csv", "a,b\n".getBytes()), HttpStatus.BAD_REQUEST, "too_few_rows");
		assertProblem(upload("bad", "series", "a.csv", ("a,b\n" + rows(9, i -> i + "," + i)).getBytes()),
				HttpStatus.BAD_REQUEST, "too_few_rows");
	}

	@Test
	void refusesAnUnclosedQuote() {
		String csv = "a,b\n" + rows(12, i -> i + "," + i) + "\"13,13\n";
		assertProblem(upload("bad", "series", "a.csv", csv.getBytes()), HttpStatus.BAD_REQUEST, "invalid_csv");
	}

	@Test
	void refusesTextThatIsNotUtf8UnlessItsCharsetIsGiven() throws IOException {
		String csv = "date,Température\n" + rows(12, i -> "2020-01-" + (10 + i) + "," + i);
		byte[] latin1 = csv.getBytes(StandardCharsets.ISO_8859_1);
		int before = datasets.list(null).size();

		assertThat(assertProblem(upload("latin", "series", "a.csv", latin1), HttpStatus.BAD_REQUEST, "invalid_csv"))
			.contains("charset");
		assertProblem(upload("zipped", "series", "a.csv", zip(Map.of("a.csv", csv.getBytes()))),
				HttpStatus.BAD_REQUEST, "invalid_csv");
		assertProblem(upload("zipped", "series", "a.csv", zip(Map.of("a.csv", csv.getBytes())), "ISO-8859-1"),
				HttpStatus.BAD_REQUEST, "invalid_csv");
		assertProblem(upload("latin", "series", "a.csv", latin1, "no-such-charset"), HttpStatus.BAD_REQUEST,
				"invalid_charset");
		assertThat(datasets.list(null)).hasSize(before);

		ResponseEntity<JsonNode> stated = upload("latin", "series", "a.csv", latin1, "ISO-8859-1");
		assertThat(stated.getStatusCode()).as("%s", stated.getBody()).isEqualTo(HttpStatus.CREATED);
		assertThat(stated.getBody().path("columns").toString()).isEqualTo("[\"Température\"]");
		assertThat(datasets.readSeries(stated.getBody().path("id").asText()).columns())
			.as("stored as UTF-8, read back as such").containsExactly("Température");
	}

	private static String rows(int count, java.util.function.IntFunction<String> row) {
		return IntStream.rangeClosed(1, count).mapToObj(row).collect(Collectors.joining("\n", "", "\n"));
	}

	private static String quoted(String commaSeparated) {
		return List.of(commaSeparated.split(",")).stream().map(c -> "\"" + c + "\"")
			.collect(Collectors.joining(",", "[", "]"));
	}

}
