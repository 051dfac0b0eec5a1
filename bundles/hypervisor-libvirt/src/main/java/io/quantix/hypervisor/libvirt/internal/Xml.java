package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * DOM helpers. Parsing refuses DOCTYPEs: domain XML never has one, and refusing it rules out XXE and entity
 * expansion. It also refuses elements nested deeper than {@link #MAX_DEPTH}.
 */
final class Xml {
    /**
     * libvirt's documents are a few levels deep (domain, devices, disk, source, host); deeper nesting would only make
     * the recursive DOM walks (text content, copies, the serializer) overflow the stack. Found by DomainXmlFuzzTest.
     */
    static final int MAX_DEPTH = 64;

    private Xml() {
    }

    static Document newDocument() {
        return builder().newDocument();
    }

    static Document parse(String xml) {
        try {
            return builder().parse(new InputSource(new StringReader(xml)));
        } catch (SAXException | IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "malformed domain XML: " + e.getMessage(), e);
        }
    }

    static String serialize(Node node, boolean indent) {
        try {
            Transformer transformer = TRANSFORMERS.get().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            transformer.setOutputProperty(OutputKeys.INDENT, indent ? "yes" : "no");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(node), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write XML: " + e.getMessage(), e);
        }
    }

    /** Appends a new element named {@code name} in {@code parent}'s namespace (none for libvirt's own). */
    static Element child(Element parent, String name) {
        Element child = parent.getOwnerDocument().createElementNS(parent.getNamespaceURI(), qualified(parent, name));
        parent.appendChild(child);
        return child;
    }

    static Element child(Element parent, String name, String text) {
        Element child = child(parent, name);
        child.setTextContent(text);
        return child;
    }

    /** The first child element with that local name in {@code parent}'s namespace, or null. */
    static Element first(Element parent, String name) {
        return first(parent, parent.getNamespaceURI(), name);
    }

    static Element first(Element parent, String namespace, String name) {
        List<Element> found = children(parent, namespace, name);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The child elements with that local name in {@code parent}'s namespace, in document order. */
    static List<Element> children(Element parent, String name) {
        return children(parent, parent.getNamespaceURI(), name);
    }

    private static List<Element> children(Element parent, String namespace, String name) {
        List<Element> result = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName()) && Objects.equals(namespace, e.getNamespaceURI())) {
                result.add(e);
            }
        }
        return result;
    }

    private static String qualified(Element parent, String name) {
        return parent.getPrefix() == null ? name : parent.getPrefix() + ":" + name;
    }

    /**
     * A JAXP factory is found by a service lookup on every newInstance(), which costs milliseconds: one parser and one
     * serializer factory per thread (neither is thread-safe), made once.
     */
    private static final ThreadLocal<DocumentBuilder> BUILDERS = ThreadLocal.withInitial(Xml::newBuilder);
    private static final ThreadLocal<TransformerFactory> TRANSFORMERS = ThreadLocal.withInitial(() -> {
        TransformerFactory factory = TransformerFactory.newInstance();
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        return factory;
    });

    private static DocumentBuilder builder() {
        DocumentBuilder builder = BUILDERS.get();
        builder.reset();
        // The JDK's default handler prints parse errors to stderr; the exception already carries them.
        builder.setErrorHandler(new DefaultHandler());
        return builder;
    }

    private static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setAttribute("jdk.xml.maxElementDepth", String.valueOf(MAX_DEPTH));
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "XML parser lacks a security feature: " + e.getMessage(), e);
        }
    }
}
