import Foundation

/// A self-contained HTML report: inline CSS and inline SVG figures, no scripts, no external
/// resources — it opens offline and prints. Sections are numbered and listed in a contents bar.
public struct HTMLReport: Sendable {
  /// One block of a section.
  public enum Block: Sendable {
    /// A paragraph of plain text (escaped).
    case paragraph(String)
    /// A note in small grey type (escaped).
    case note(String)
    /// A table: header cells and rows of cells (escaped); `numeric` right-aligns columns after the first.
    case table(header: [String], rows: [[String]], numeric: Bool)
    /// SVG figures side by side with a caption (the SVG is inserted as is), numbered
    /// "Figure 1.", "Figure 2.", … in order.
    case figures([String], caption: String)
    /// A sub-heading.
    case heading(String)
  }

  /// A numbered section.
  public struct Section: Sendable {
    /// Anchor id.
    public var id: String
    /// Heading text.
    public var title: String
    /// Content in order.
    public var blocks: [Block]

    /// Creates a section.
    public init(id: String, title: String, blocks: [Block] = []) { (self.id, self.title, self.blocks) = (id, title, blocks) }
  }

  /// Title of the page.
  public var title: String
  /// Lines under the title (run directory, date, versions).
  public var subtitle: [String]
  /// The sections.
  public var sections: [Section] = []

  /// Creates an empty report.
  public init(title: String, subtitle: [String]) { (self.title, self.subtitle) = (title, subtitle) }

  static let style = """
    body{font-family:Helvetica,Arial,sans-serif;color:#222;max-width:1180px;margin:0 auto;padding:0 24px 60px;line-height:1.45}
    header{border-bottom:2px solid #222;margin-bottom:8px}h1{font-size:26px;margin:22px 0 4px}
    .sub{color:#555;font-size:13px;margin:2px 0}nav{font-size:13px;margin:10px 0 18px}nav a{margin-right:14px;color:#0b5394;text-decoration:none}
    h2{font-size:20px;border-bottom:1px solid #bbb;padding-bottom:3px;margin-top:34px}h3{font-size:15px;margin:18px 0 6px}
    p{margin:6px 0 10px;max-width:980px}.note{color:#666;font-size:12px}
    table{border-collapse:collapse;font-size:12.5px;margin:6px 0 14px}th,td{border-bottom:1px solid #ddd;padding:3px 9px;text-align:left;vertical-align:top}
    th{background:#f3f3f3;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
    figure{margin:8px 0 18px}figure .row{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
    figure svg{max-width:100%;height:auto}figcaption{font-size:12px;color:#444;margin-top:4px;max-width:1000px}
    @media print{nav{display:none}h2{page-break-before:auto}figure{page-break-inside:avoid}}
    """

  /// The HTML text.
  public func html() -> String {
    func e(_ s: String) -> String { SVG.escape(s).replacingOccurrences(of: "\"", with: "&quot;") }
    var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(e(title))</title>\n<style>\(Self.style)</style></head><body>\n"
    out += "<header><h1>\(e(title))</h1>" + subtitle.map { "<p class=\"sub\">\(e($0))</p>" }.joined() + "</header>\n<nav>"
    out += sections.enumerated().map { "<a href=\"#\(e($0.element.id))\">\($0.offset + 1). \(e($0.element.title))</a>" }.joined() + "</nav>\n"
    var figureNumber = 0
    for (i, section) in sections.enumerated() {
      out += "<section id=\"\(e(section.id))\"><h2>\(i + 1). \(e(section.title))</h2>\n"
      for block in section.blocks {
        switch block {
        case .paragraph(let text): out += "<p>\(e(text))</p>\n"
        case .note(let text): out += "<p class=\"note\">\(e(text))</p>\n"
        case .heading(let text): out += "<h3>\(e(text))</h3>\n"
        case .table(let header, let rows, let numeric):
          out += "<table><thead><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>\n"
          for row in rows {
            out += "<tr>" + row.enumerated().map { c, cell in "<td\(numeric && c > 0 ? " class=\"n\"" : "")>\(e(cell))</td>" }.joined() + "</tr>\n"
          }
          out += "</tbody></table>\n"
        case .figures(let svgs, let caption):
          figureNumber += 1
          out += "<figure id=\"figure-\(figureNumber)\"><div class=\"row\">" + svgs.map(Self.inlineable).joined(separator: "\n")
            + "</div><figcaption><b>Figure \(figureNumber).</b> \(e(caption))</figcaption></figure>\n"
        }
      }
      out += "</section>\n"
    }
    return out + "</body></html>\n"
  }

  /// An SVG document made fit for inlining: the XML declaration dropped, a millimetre size kept
  /// (browsers scale it with CSS `max-width`).
  static func inlineable(_ svg: String) -> String {
    var s = svg
    if s.hasPrefix("<?xml"), let end = s.range(of: "?>") { s = String(s[end.upperBound...]) }
    return s.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
