package dev.switchboard.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** report.json keeps every figure exactly and stays valid JSON whatever a scenario measured. */
class JsonTest {

    @Test
    void numbersReadBackExactlyAndNonFiniteOnesBecomeNull() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("ceiling", 9_210_019.123456789);
        figures.put("p99", 0.000123456789);
        figures.put("ratio", 2.0 / 3.0);
        figures.put("missing", Double.NaN);
        figures.put("unbounded", Double.POSITIVE_INFINITY);
        figures.put("points", List.of(new double[] {1.5, Double.NaN}, new double[] {1e-9, 123456789.987654321}));
        figures.put("label", "fan-out \"1,000\"\n");

        JsonNode read = JsonMapper.builder().build().readTree(Json.write(figures));
        assertThat(read.get("ceiling").doubleValue()).isEqualTo(9_210_019.123456789);
        assertThat(read.get("p99").doubleValue()).isEqualTo(0.000123456789);
        assertThat(read.get("ratio").doubleValue()).isEqualTo(2.0 / 3.0);
        assertThat(read.get("missing").isNull()).isTrue();
        assertThat(read.get("unbounded").isNull()).isTrue();
        assertThat(read.get("points").get(0).get(1).isNull()).isTrue();
        assertThat(read.get("points").get(1).get(1).doubleValue()).isEqualTo(123456789.987654321);
        assertThat(read.get("label").stringValue()).isEqualTo("fan-out \"1,000\"\n");
    }
}
