package io.deepserve.dataset;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvReaderTests {

	@Test
	void readsQuotedFieldsEscapedQuotesAndAnyLineEnding() throws IOException {
		CsvReader csv = new CsvReader(new StringReader("\"a,b\",\"say \"\"hi\"\"\",c\r\n1,,3\r\n\n4,\"two\nlines\",6\r7,8,9"));

		assertThat(csv.next()).containsExactly("a,b", "say \"hi\"", "c");
		assertThat(csv.line()).isEqualTo(1);
		assertThat(csv.next()).containsExactly("1", "", "3");
		assertThat(csv.next()).containsExactly("4", "two\nlines", "6");
		assertThat(csv.line()).isEqualTo(4);
		assertThat(csv.next()).containsExactly("7", "8", "9");
		assertThat(csv.line()).isEqualTo(6);
		assertThat(csv.next()).isNull();
	}

	@Test
	void skipsBlankLinesAndKeepsEmptyQuotedFields() throws IOException {
		List<List<String>> records = new ArrayList<>();
		CsvReader csv = new CsvReader(new StringReader("\n\nx\n\n\"\"\n\n"));
		for (List<String> record = csv.next(); record != null; record = csv.next()) {
			records.add(record);
		}
		assertThat(records).containsExactly(List.of("x"), List.of(""));
	}

	@Test
	void refusesAnUnclosedQuote() {
		CsvReader csv = new CsvReader(new StringReader("a\n\"b\n"));
		assertThatThrownBy(() -> {
			csv.next();
			csv.next();
		}).hasFieldOrPropertyWithValue("code", "invalid_csv").hasMessageContaining("line 2");
	}

}
