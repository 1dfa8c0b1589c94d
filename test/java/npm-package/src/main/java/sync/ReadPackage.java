package sync;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.hl7.fhir.utilities.json.model.JsonObject;
import org.hl7.fhir.utilities.json.parser.JsonParser;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * Opens a FHIR NPM package (.tgz) with HAPI's package reader, the one the IG publisher, the HL7
 * validator and HAPI FHIR servers use, and prints what it sees as tab-separated lines:
 *   PACKAGE  name  version  fhirVersion  canonical
 *   DEPENDENCY  name#version
 *   RESOURCE  resourceType  id  url  version  filename  parsedResourceType
 * The last column comes from loading and parsing the file itself, so a file that the index names
 * but that is missing or not JSON fails the run (exit 1) instead of being listed.
 */
public final class ReadPackage {
  private ReadPackage() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: ReadPackage <package.tgz>");
      System.exit(2);
    }
    NpmPackage npm;
    try (InputStream in = new FileInputStream(args[0])) {
      npm = NpmPackage.fromPackage(in);
    }
    System.out.println(String.join("\t", "PACKAGE", npm.name(), npm.version(), npm.fhirVersion(), String.valueOf(npm.canonical())));
    for (String dep : npm.dependencies()) {
      System.out.println("DEPENDENCY\t" + dep);
    }
    List<NpmPackage.PackageResourceInformation> infos = npm.listIndexedResources("CodeSystem", "ValueSet", "ConceptMap");
    for (NpmPackage.PackageResourceInformation info : infos) {
      String parsedType;
      try (InputStream res = npm.load(info)) {
        JsonObject json = JsonParser.parseObject(new String(res.readAllBytes(), StandardCharsets.UTF_8));
        parsedType = json.asString("resourceType");
      }
      System.out.println(String.join("\t", "RESOURCE", info.getResourceType(), String.valueOf(info.getId()),
          String.valueOf(info.getUrl()), String.valueOf(info.getVersion()), info.getFilename(), String.valueOf(parsedType)));
    }
  }
}
