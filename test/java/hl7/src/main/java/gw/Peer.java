package gw;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.app.Initiator;
import ca.uhn.hl7v2.llp.ExtendedMinLowerLayerProtocol;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HAPI HL7v2 peer for the gateway test (driven by test/hl7/peers.test.ts).
 *   send HOST PORT   builds ORM^O01 (v2.3.1, UTF-8 and GB 18030) and OMI^O23 (v2.5) as HAPI model
 *                    objects, sends them with HAPI's Initiator over MLLP (ExtendedMinLowerLayerProtocol
 *                    encodes per MSH-18), and checks each ACK with HAPI's parser: MSA-1 is AA or CA,
 *                    MSA-2 is the control id sent, MSH-10 is a new id.
 *   check DIR        parses every forwarded message in DIR (*.hl7, raw bytes) with HAPI's PipeParser and
 *                    checks each OBR-4: standard code triplet in 4.1-4.3, the local code kept in 4.4-4.6.
 * Prints one line per checked item; exits 1 on the first failed expectation.
 */
public final class Peer {
  private static final String SYSTEM_ID = "99RIMAG";

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("send")) send(args[1], Integer.parseInt(args[2]));
    else if (args.length >= 2 && args[0].equals("check")) check(Paths.get(args[1]));
    else {
      System.err.println("usage: send HOST PORT | check DIR");
      System.exit(2);
    }
  }

  static String orm231(String id, String msh18, String name) {
    return "MSH|^~\\&|HAPI|PEERHOSP|RIS|IMG|20261123103000||ORM^O01|" + id + "|P|2.3.1||||||" + msh18 + "\r"
        + "PID|1||P777^^^PEERHOSP^MR||" + name + "||19800101|M\r"
        + "ORC|NW|" + id + "-1^HAPI\r"
        + "OBR|1|" + id + "-1^HAPI||CT0012^胸部CT平扫^L|||20261123103000|||||||||||||||||CT\r"
        + "ORC|NW|" + id + "-2^HAPI\r"
        + "OBR|2|" + id + "-2^HAPI||CT0101^头颅CT平扫^L|||20261123103000|||||||||||||||||CT\r";
  }

  static String omi25(String id) {
    return "MSH|^~\\&|HAPI|PEERHOSP|RIS|IMG|20261123104500||OMI^O23^OMI_O23|" + id + "|P|2.5|||AL|NE||UNICODE UTF-8\r"
        + "PID|1||P778^^^PEERHOSP^MR||李^四||19751212|F\r"
        + "ORC|NW|" + id + "^HAPI|||||||20261123104500\r"
        + "TQ1|1||||||20261123120000\r"
        + "OBR|1|" + id + "^HAPI||DR1001^左膝关节正侧位^L|||20261123104500|||||||||||||||||DX\r"
        + "IPC|ACC0001|1.2.156.112605.1.20261123.1|SPS001|DX\r";
  }

  static void send(String host, int port) throws Exception {
    HapiContext ctx = new DefaultHapiContext();
    ctx.setLowerLayerProtocol(new ExtendedMinLowerLayerProtocol());
    PipeParser parser = ctx.getPipeParser();
    List<Message> messages = new ArrayList<>();
    messages.add(parser.parse(orm231("HAPI-ORM-1", "UNICODE UTF-8", "王^五")));
    messages.add(parser.parse(orm231("HAPI-ORM-2", "GB 18030-2000", "和^珅")));
    messages.add(parser.parse(omi25("HAPI-OMI-1")));
    Connection connection = ctx.newClient(host, port, false);
    Initiator initiator = connection.getInitiator();
    initiator.setTimeout(30, TimeUnit.SECONDS);
    for (Message m : messages) {
      Terser sent = new Terser(m);
      String id = sent.get("/MSH-10");
      Message ack = initiator.sendAndReceive(m);
      Terser t = new Terser(ack);
      String code = t.get("/MSA-1");
      String msa2 = t.get("/MSA-2");
      String ackId = t.get("/MSH-10");
      expect("MSA-1 of " + id, code.equals("AA") || code.equals("CA"), code);
      expect("MSA-2 of " + id, id.equals(msa2), msa2);
      expect("ACK MSH-10 is new for " + id, ackId != null && !ackId.equals(id), ackId);
      System.out.println("ACK " + id + " " + code + " " + ack.getName() + " " + ack.getVersion());
    }
    connection.close();
    ctx.close();
  }

  static void check(Path dir) throws Exception {
    HapiContext ctx = new DefaultHapiContext();
    PipeParser parser = ctx.getPipeParser();
    int count = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.hl7")) {
      for (Path file : files) {
        byte[] bytes = Files.readAllBytes(file);
        String head = new String(bytes, StandardCharsets.ISO_8859_1);
        Charset cs = head.split("\r", 2)[0].contains("18030") ? Charset.forName("GB18030") : StandardCharsets.UTF_8;
        Message m = parser.parse(new String(bytes, cs));
        String id = new Terser(m).get("/MSH-10");
        String pidName = new Terser(m).get("/.PID-5-1") + "^" + new Terser(m).get("/.PID-5-2");
        List<Segment> obrs = new ArrayList<>();
        collect(m, "OBR", obrs);
        int n = 0;
        for (Segment obr : obrs) {
          n++;
          String[] c = new String[6];
          for (int i = 0; i < 6; i++) c[i] = Terser.get(obr, 4, 0, i + 1, 1);
          expect(id + " OBR " + n + " 4.3", SYSTEM_ID.equals(c[2]), c[2]);
          expect(id + " OBR " + n + " 4.1 is 14 chars", c[0] != null && c[0].length() == 14, c[0]);
          expect(id + " OBR " + n + " 4.6", "L".equals(c[5]), c[5]);
          System.out.println("OBR " + id + " " + n + " " + String.join("^", c) + " PID5=" + pidName + " " + m.getName() + " " + m.getVersion());
          count++;
        }
      }
    }
    expect("some OBR checked", count > 0, String.valueOf(count));
    ctx.close();
  }

  /** Every segment named `name` in the message tree, in order (all repetitions of every group). */
  static void collect(Group group, String name, List<Segment> out) throws HL7Exception {
    for (String child : group.getNames()) {
      for (Structure s : group.getAll(child)) {
        if (s instanceof Group) collect((Group) s, name, out);
        else if (s instanceof Segment && s.getName().equals(name)) out.add((Segment) s);
      }
    }
  }

  static void expect(String what, boolean ok, String actual) {
    if (!ok) {
      System.out.println("FAIL " + what + ": got " + actual);
      System.exit(1);
    }
  }
}
