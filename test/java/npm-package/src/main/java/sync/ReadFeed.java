package sync;

import java.io.File;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Parses our syndication feed with the JDK's namespace-aware XML parser (as a feed consumer would)
 * and prints, tab-separated:
 *   FEED  id  atomSyndicationFormatProfile
 *   ENTRY  categoryTerm  categoryScheme  contentItemIdentifier  contentItemVersion  alternateHref  length  sha256Hash
 * A document that is not well-formed XML, or elements in the wrong namespace, fail the run.
 */
public final class ReadFeed {
  static final String ATOM = "http://www.w3.org/2005/Atom";
  static final String NCTS = "http://ns.electronichealth.net.au/ncts/syndication/asf/extensions/1.0.0";

  private ReadFeed() {}

  private static String text(Element parent, String ns, String name) {
    NodeList list = parent.getElementsByTagNameNS(ns, name);
    return list.getLength() == 0 ? "" : list.item(0).getTextContent();
  }

  public static void main(String[] args) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    DocumentBuilder builder = factory.newDocumentBuilder();
    Document doc = builder.parse(new File(args[0]));
    Element feed = doc.getDocumentElement();
    if (!ATOM.equals(feed.getNamespaceURI()) || !"feed".equals(feed.getLocalName())) {
      throw new IllegalStateException("root is not an Atom feed");
    }
    System.out.println(String.join("\t", "FEED", text(feed, ATOM, "id"), text(feed, NCTS, "atomSyndicationFormatProfile")));
    NodeList entries = feed.getElementsByTagNameNS(ATOM, "entry");
    for (int i = 0; i < entries.getLength(); i++) {
      Element entry = (Element) entries.item(i);
      Element category = (Element) entry.getElementsByTagNameNS(ATOM, "category").item(0);
      String href = "";
      String length = "";
      String hash = "";
      NodeList links = entry.getElementsByTagNameNS(ATOM, "link");
      for (int j = 0; j < links.getLength(); j++) {
        Element link = (Element) links.item(j);
        if ("alternate".equals(link.getAttribute("rel"))) {
          href = link.getAttribute("href");
          length = link.getAttribute("length");
          hash = link.getAttributeNS(NCTS, "sha256Hash");
        }
      }
      System.out.println(String.join("\t", "ENTRY", category.getAttribute("term"), category.getAttribute("scheme"),
          text(entry, NCTS, "contentItemIdentifier"), text(entry, NCTS, "contentItemVersion"), href, length, hash));
    }
  }
}
