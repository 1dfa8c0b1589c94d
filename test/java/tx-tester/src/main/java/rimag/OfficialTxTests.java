package rimag;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r5.formats.IParser.OutputStyle;
import org.hl7.fhir.r5.formats.JsonParser;
import org.hl7.fhir.r5.model.TestReport;
import org.hl7.fhir.r5.model.TestReport.TestReportActionResult;
import org.hl7.fhir.r5.model.TestReport.TestReportTestComponent;
import org.hl7.fhir.utilities.VersionUtil;
import org.hl7.fhir.utilities.http.ManagedWebAccess;
import org.hl7.fhir.utilities.settings.FhirSettings;
import org.hl7.fhir.validation.special.TxTester;

/**
 * HL7's own tx-ecosystem runner (org.hl7.fhir.validation.special.TxTester, from Maven Central) run
 * against our server, so that the pass count of our TypeScript runner (test/conformance/) is checked
 * by an independent implementation (issue 4).
 *
 * <p>It does what the validator CLI's {@code txTests} command (TxTestsCommand) does, minus the CLI:
 * that artifact (org.hl7.fhir.validation.cli) is not published on Maven Central for the runner
 * version we use. Same settings as the CLI: {@code tight=false} (only managed extensions are
 * compared), mode {@code general} always on plus any {@code --mode}, no FHIR-version gate, externals
 * only when given. The tests come from a local folder (InternalTxLoader on a directory reads
 * test-cases.json from disk), so no package is downloaded and no terminology server other than the
 * one under test is contacted: the run is offline.
 *
 * <p>Usage: {@code OfficialTxTests --tests <dir with test-cases.json> --server <fhir base>
 * --output <dir> [--mode a,b] [--suite name] [--filter text] [--externals file]
 * [--fhir-settings file]}
 *
 * <p>Writes {@code <output>/results.tsv} ({@code suite/test<TAB>PASS|FAIL|ERROR|SKIP<TAB>message}, one
 * line per test the runner saw, in run order), {@code report.json} (the FHIR TestReport), and the
 * runner's own {@code test-results.json}, {@code actual/} and {@code expected/}. Prints
 * {@code N passed, M failed}. Exit code: 0 all passed, 1 some failed, 2 the run could not start.
 */
public final class OfficialTxTests {
  private OfficialTxTests() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    String tests = require(opts, "tests");
    String server = require(opts, "server");
    Path output = Path.of(require(opts, "output")).toAbsolutePath();
    Files.createDirectories(output);

    Set<String> modes = new LinkedHashSet<>();
    modes.add("general");
    if (opts.containsKey("mode")) {
      for (String m : opts.get("mode").split(",")) {
        if (!m.isBlank()) modes.add(m.trim());
      }
    }
    var externals = opts.containsKey("externals")
        ? org.hl7.fhir.utilities.json.parser.JsonParser.parseObjectFromFile(opts.get("externals"))
        : null;

    allowServerUnderTest(server, output, opts.get("fhir-settings"));
    System.out.println("official TxTester: org.hl7.fhir.validation " + VersionUtil.getVersion()
        + " against " + server + ", tests " + tests + ", modes " + modes);
    TxTester tester = new TxTester(new TxTester.InternalTxLoader(tests, false), server, false, externals, null);
    tester.setOutput(output.toString());
    boolean ok = tester.execute(modes, opts.get("filter"), opts.get("suite"));

    TestReport report = tester.getTestReport();
    try (var out = Files.newOutputStream(output.resolve("report.json"))) {
      new JsonParser().setOutputStyle(OutputStyle.PRETTY).compose(out, report);
    }
    int[] counts = writeResults(report, output.resolve("results.tsv"));
    int ran = counts[0] + counts[1];
    System.out.println("warnings: " + tester.getWarnings().size());
    System.out.println(counts[0] + " passed, " + counts[1] + " failed");
    if (ran == 0) {
      System.err.println("official TxTester ran no test (see the log above: could it reach " + server + "?)");
      System.exit(2);
    }
    System.exit(ok && counts[1] == 0 ? 0 : 1);
  }

  /**
   * The runner's HTTP layer (ManagedWebAccess) refuses plain http and loopback/private addresses
   * ("Refusing to fetch from non-https URL") unless fhir-settings.json lists the server with
   * allowHttp and allowPrivateNetwork. We write such a file for the server under test only (or use
   * --fhir-settings), load it as the validator CLI does, and so leave the protection on for every
   * other URL: nothing else may be fetched.
   */
  private static void allowServerUnderTest(String server, Path output, String given) throws IOException {
    Path settings;
    if (given != null) {
      settings = Path.of(given).toAbsolutePath();
    } else {
      URI u = URI.create(server);
      String origin = u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
      settings = output.resolve("fhir-settings.json");
      Files.writeString(settings, "{\n  \"servers\": [\n    {\"url\": \"" + origin
          + "\", \"type\": \"fhir\", \"authenticationType\": \"none\", \"allowHttp\": true, \"allowPrivateNetwork\": true}\n  ]\n}\n");
    }
    FhirSettings.setExplicitFilePath(settings.toString());
    ManagedWebAccess.loadFromFHIRSettings();
    System.out.println("fhir-settings: " + settings);
  }

  /** One line per TestReport test; returns {passed, failed-or-errored}. */
  private static int[] writeResults(TestReport report, Path file) throws IOException {
    int passed = 0;
    int failed = 0;
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      for (TestReportTestComponent t : report.getTest()) {
        var op = t.getActionFirstRep().getOperation();
        TestReportActionResult r = op.getResult();
        String result = r == null ? "SKIP" : r.toCode().toUpperCase();
        if (r == TestReportActionResult.PASS) passed++;
        else if (r == TestReportActionResult.FAIL || r == TestReportActionResult.ERROR) failed++;
        String msg = op.hasMessage() ? op.getMessage().replaceAll("\\s+", " ").trim() : "";
        w.println(t.getName() + "\t" + result + "\t" + msg);
      }
    }
    return new int[] {passed, failed};
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--") && i + 1 < args.length) {
        opts.put(args[i].substring(2), args[++i]);
      } else {
        rest.add(args[i]);
      }
    }
    if (!rest.isEmpty()) usage("unexpected arguments " + rest);
    return opts;
  }

  private static String require(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null || v.isBlank()) usage("--" + name + " is required");
    return v;
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: OfficialTxTests --tests <dir> --server <fhir base> --output <dir>"
        + " [--mode a,b] [--suite name] [--filter text] [--externals file] [--fhir-settings file]");
    System.exit(2);
  }
}
