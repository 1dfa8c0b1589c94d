package rimag;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.LookupCodeRequest;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.common.hapi.validation.support.RemoteTerminologyServiceValidationSupport;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * HAPI FHIR 8.x as an independent client of our terminology server (issue 4, "Real clients").
 *
 * <p>RemoteTerminologyServiceValidationSupport is what a HAPI server or validator uses to delegate
 * terminology to a remote server; the generic client is how HAPI applications call operations.
 * Every result is asserted; the process exits 1 on any mismatch and prints one line per check:
 * {@code PASS <name>: <detail>} or {@code FAIL <name>: <detail>}.
 *
 * <p>Usage: {@code TerminologyClientCheck <fhir base url> [translate.url=… translate.system=…
 * translate.code=… translate.target=…]} (the ConceptMap element to translate, read from our content by
 * the calling test).
 */
public final class TerminologyClientCheck {
  static final String EXAM_ITEM = "https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item";
  static final String EXAM_ITEM_ALL = "https://bzh.rimagcloud.com/fhir/ValueSet/exam-item-all";
  static final String CODE = "20010100110000";
  static final String DISPLAY = "* CT颅脑(平扫)";
  /** Well-formed (14 characters, known device/body segments) but not an item of the standard. */
  static final String UNKNOWN_CODE = "20010100990000";
  static final String WRONG_DISPLAY = "CT胸部(增强)";
  static final String FILTER = "胸部";
  /** * CT胸部(平扫): an item whose display contains the filter text, and the dev-set answer for FREE_TEXT. */
  static final String FILTER_HIT = "20040100110000";
  /** A hospital-style name (from /work/shared/matching/dev-set.tsv) for the free-text $translate fallback. */
  static final String FREE_TEXT = "64排CT平扫(胸部)";

  private final List<String> failures = new ArrayList<>();
  private int passed;

  private void check(String name, boolean ok, String detail) {
    System.out.println((ok ? "PASS " : "FAIL ") + name + ": " + detail);
    if (ok) passed++;
    else failures.add(name);
  }

  private void run(String name, Runnable body) {
    try {
      body.run();
    } catch (RuntimeException e) {
      check(name, false, "threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: TerminologyClientCheck <fhir base url> [key=value ...]");
      System.exit(2);
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq > 0) opts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    TerminologyClientCheck checks = new TerminologyClientCheck();
    checks.runAll(args[0], opts);
    System.out.println("hapi-fhir-client checks: " + checks.passed + " ok, " + checks.failures.size() + " failing");
    System.exit(checks.failures.isEmpty() ? 0 : 1);
  }

  private void runAll(String baseUrl, Map<String, String> opts) {
    FhirContext ctx = FhirContext.forR4();
    // Our server answers /metadata; not checking it keeps this client about terminology only.
    ctx.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
    RemoteTerminologyServiceValidationSupport remote = new RemoteTerminologyServiceValidationSupport(ctx, baseUrl);
    ValidationSupportContext vsc = new ValidationSupportContext(remote);
    ConceptValidationOptions options = new ConceptValidationOptions();
    IGenericClient client = ctx.newRestfulGenericClient(baseUrl);

    run("validateCode valid (CodeSystem)", () -> {
      IValidationSupport.CodeValidationResult r = remote.validateCode(vsc, options, EXAM_ITEM, CODE, DISPLAY, null);
      check("validateCode valid (CodeSystem)", r != null && r.isOk() && DISPLAY.equals(r.getDisplay()),
          r == null ? "null result" : "ok=" + r.isOk() + " display=" + r.getDisplay() + " message=" + r.getMessage());
    });
    run("validateCode valid (ValueSet exam-item-all)", () -> {
      IValidationSupport.CodeValidationResult r = remote.validateCode(vsc, options, EXAM_ITEM, CODE, null, EXAM_ITEM_ALL);
      check("validateCode valid (ValueSet exam-item-all)", r != null && r.isOk(),
          r == null ? "null result" : "ok=" + r.isOk() + " display=" + r.getDisplay() + " message=" + r.getMessage());
    });
    run("validateCode unknown code", () -> {
      IValidationSupport.CodeValidationResult r = remote.validateCode(vsc, options, EXAM_ITEM, UNKNOWN_CODE, null, null);
      check("validateCode unknown code", r != null && !r.isOk() && r.getSeverity() == IValidationSupport.IssueSeverity.ERROR
          && r.getMessage() != null && r.getMessage().contains(UNKNOWN_CODE),
          r == null ? "null result" : "ok=" + r.isOk() + " severity=" + r.getSeverity() + " message=" + r.getMessage());
    });
    run("validateCode wrong display", () -> {
      IValidationSupport.CodeValidationResult r = remote.validateCode(vsc, options, EXAM_ITEM, CODE, WRONG_DISPLAY, null);
      // FHIR R4 $validate-code: a display that is not a valid display of the code fails validation,
      // and the message says so (tx ecosystem tests validation/*-bad-display expect result=false).
      check("validateCode wrong display", r != null && !r.isOk() && r.getSeverity() == IValidationSupport.IssueSeverity.ERROR
          && r.getMessage() != null && r.getMessage().contains(WRONG_DISPLAY),
          r == null ? "null result" : "ok=" + r.isOk() + " severity=" + r.getSeverity() + " message=" + r.getMessage());
    });
    run("lookupCode", () -> {
      IValidationSupport.LookupCodeResult r = remote.lookupCode(vsc, new LookupCodeRequest(EXAM_ITEM, CODE, null, List.of("modality", "scanMethod")));
      String modality = null;
      String scan = null;
      if (r != null) {
        for (IValidationSupport.BaseConceptProperty p : r.getProperties()) {
          String v = p instanceof IValidationSupport.StringConceptProperty s ? s.getValue()
              : p instanceof IValidationSupport.CodingConceptProperty c ? c.getCode() : null;
          if ("modality".equals(p.getPropertyName())) modality = v;
          if ("scanMethod".equals(p.getPropertyName())) scan = v;
        }
      }
      check("lookupCode", r != null && r.isFound() && DISPLAY.equals(r.getCodeDisplay()) && "CT".equals(modality) && "11".equals(scan),
          r == null ? "null result" : "found=" + r.isFound() + " display=" + r.getCodeDisplay() + " modality=" + modality + " scanMethod=" + scan
              + " version=" + r.getCodeSystemVersion());
    });
    run("lookupCode unknown code", () -> {
      boolean notFound;
      String detail;
      try {
        IValidationSupport.LookupCodeResult r = remote.lookupCode(vsc, new LookupCodeRequest(EXAM_ITEM, UNKNOWN_CODE));
        notFound = r == null || !r.isFound();
        detail = r == null ? "null result" : "found=" + r.isFound() + " error=" + r.getErrorMessage();
      } catch (BaseServerResponseException e) {
        // FHIR R4 $lookup: an unknown code is an error outcome (404 in tx.fhir.org and Ontoserver).
        notFound = e.getStatusCode() == 404 || e.getStatusCode() == 400;
        detail = "HTTP " + e.getStatusCode() + " " + e.getMessage();
      }
      check("lookupCode unknown code", notFound, detail);
    });
    run("generic client $expand filter", () -> {
      Parameters in = new Parameters();
      in.addParameter().setName("url").setValue(new UriType(EXAM_ITEM_ALL));
      in.addParameter().setName("filter").setValue(new StringType(FILTER));
      ValueSet vs = client.operation().onType(ValueSet.class).named("$expand").withParameters(in)
          .returnResourceType(ValueSet.class).useHttpGet().execute();
      List<ValueSet.ValueSetExpansionContainsComponent> contains = vs.getExpansion().getContains();
      boolean hasHit = contains.stream().anyMatch(c -> FILTER_HIT.equals(c.getCode()) && EXAM_ITEM.equals(c.getSystem()));
      boolean allMatch = !contains.isEmpty() && contains.stream().allMatch(c -> c.getDisplay() != null && c.getDisplay().contains(FILTER));
      check("generic client $expand filter", hasHit && allMatch,
          "contains=" + contains.size() + " total=" + vs.getExpansion().getTotal() + " has " + FILTER_HIT + "=" + hasHit + " all displays contain filter=" + allMatch);
    });
    run("generic client $translate free text", () -> {
      Parameters in = new Parameters();
      in.addParameter().setName("codeableConcept").setValue(new CodeableConcept().setText(FREE_TEXT));
      in.addParameter().setName("targetsystem").setValue(new UriType(EXAM_ITEM));
      Parameters out = client.operation().onType(ConceptMap.class).named("$translate").withParameters(in).execute();
      boolean result = out.getParameterBool("result");
      String first = null;
      for (Parameters.ParametersParameterComponent p : out.getParameter()) {
        if (!"match".equals(p.getName()) || first != null) continue;
        for (Parameters.ParametersParameterComponent part : p.getPart()) {
          if ("concept".equals(part.getName()) && part.getValue() instanceof Coding c) first = c.getSystem() + "|" + c.getCode();
        }
      }
      String expected = EXAM_ITEM + "|" + FILTER_HIT;
      check("generic client $translate free text", result && expected.equals(first), "result=" + result + " first match=" + first + " expected " + expected);
    });
    String mapUrl = opts.get("translate.url");
    if (mapUrl == null) {
      check("generic client $translate", false, "no translate.url=… argument (the caller reads it from conformance/conceptmaps)");
      return;
    }
    run("generic client $translate", () -> {
      Parameters in = new Parameters();
      in.addParameter().setName("url").setValue(new UriType(mapUrl));
      in.addParameter().setName("system").setValue(new UriType(opts.get("translate.system")));
      in.addParameter().setName("code").setValue(new CodeType(opts.get("translate.code")));
      in.addParameter().setName("targetsystem").setValue(new UriType(EXAM_ITEM));
      Parameters out = client.operation().onType(ConceptMap.class).named("$translate").withParameters(in).execute();
      boolean result = out.getParameterBool("result");
      List<String> targets = new ArrayList<>();
      for (Parameters.ParametersParameterComponent p : out.getParameter()) {
        if (!"match".equals(p.getName())) continue;
        for (Parameters.ParametersParameterComponent part : p.getPart()) {
          if ("concept".equals(part.getName()) && part.getValue() instanceof Coding c) targets.add(c.getSystem() + "|" + c.getCode());
        }
      }
      String expected = EXAM_ITEM + "|" + opts.get("translate.target");
      check("generic client $translate", result && targets.contains(expected),
          "result=" + result + " matches=" + targets + " expected " + expected);
    });
  }
}
