-- table_render.lua — module "tfp.table_render": a table object (see
-- tfp.table's make: title, columns, groups, head, sections, footer, display
-- options) as text, Markdown, LaTeX, CSV, HTML or RTF. Each renderer is a
-- function of the table alone, returning the text without a final newline;
-- R.formats maps a format name to its renderer, so a new format is one
-- function and one entry.
--
-- Conventions, stated because they are choices:
-- * Text aligns numbers on their core, stars and brackets after; East Asian
--   wide characters count two columns.
-- * CSV (RFC 4180, CRLF, UTF-8): one header row (group and column label
--   joined as "group: label"), the body, a blank line and the notes; no title.
--   Markdown also joins groups into its single header row.
-- * LaTeX compiles as written: the packages it needs in a leading comment, a
--   real minus sign, the caption without the title's own number, notes below
--   the tabular; size, resize and landscape from the display options.
local R = {}

local concat, insert = table.concat, table.insert
local fmt, rep = string.format, string.rep

-- Display width of a string in a terminal: UTF-8 characters where valid
-- (East Asian wide ones, such as Chinese, two columns), bytes otherwise.
local function wide(c)
  return (c >= 0x1100 and c <= 0x115F) or (c >= 0x2E80 and c <= 0xA4CF and c ~= 0x303F)
    or (c >= 0xAC00 and c <= 0xD7A3) or (c >= 0xF900 and c <= 0xFAFF) or (c >= 0xFE30 and c <= 0xFE4F)
    or (c >= 0xFF00 and c <= 0xFF60) or (c >= 0xFFE0 and c <= 0xFFE6) or (c >= 0x20000 and c <= 0x3FFFD)
end
local function width(s)
  if not utf8.len(s) then return #s end
  local w = 0
  for _, c in utf8.codes(s) do w = w + (wide(c) and 2 or 1) end
  return w
end

local function lpad(s, w) return rep(" ", w - width(s)) .. s end
local function rpad(s, w) return s .. rep(" ", w - width(s)) end
local function center(s, w)
  local gap = w - width(s)
  local left = gap // 2
  return rep(" ", left) .. s .. rep(" ", gap - left)
end

local LATEX_ESCAPE = {
  ["\\"] = "\\textbackslash{}", ["&"] = "\\&", ["%"] = "\\%", ["$"] = "\\$",
  ["#"] = "\\#", ["_"] = "\\_", ["{"] = "\\{", ["}"] = "\\}",
  ["~"] = "\\textasciitilde{}", ["^"] = "\\textasciicircum{}",
  ["<"] = "\\textless{}", [">"] = "\\textgreater{}",
}
local function tex_escape(s)
  return (s:gsub("[\\&%%%$#_{}~^<>]", LATEX_ESCAPE))
end
R.width, R.tex_escape = width, tex_escape

local function rstrip(s) return (s:gsub("%s+$", "")) end

local function all_rows(tab)
  local all = {}
  for _, r in ipairs(tab.head) do insert(all, r) end
  for _, sec in ipairs(tab.sections) do
    for _, r in ipairs(sec) do insert(all, r) end
  end
  return all
end

local function render_text(tab)
  local nc = #tab.columns
  local all = all_rows(tab)
  -- Per column: numbers right-aligned on their core, stars/brackets after.
  local w0 = 0
  for _, r in ipairs(all) do w0 = math.max(w0, width(r.label)) end
  local core, suf, wid = {}, {}, {}
  for j = 1, nc do
    core[j], suf[j] = 0, 0
    for _, r in ipairs(all) do
      local c = r.cells[j]
      if c.kind == "num" then
        core[j] = math.max(core[j], width(c.core))
        suf[j] = math.max(suf[j], width(c.suffix))
      end
    end
    wid[j] = math.max(core[j] + suf[j], width(tab.columns[j]))
    for _, r in ipairs(all) do
      local c = r.cells[j]
      if c.kind == "str" then wid[j] = math.max(wid[j], width(c.core)) end
    end
  end
  -- A group label wider than its columns widens the last of them.
  for _, g in ipairs(tab.groups or {}) do
    local span = 2 * (g.span - 1)
    for j = g.first, g.first + g.span - 1 do span = span + wid[j] end
    local extra = width(g.label) - span
    if extra > 0 then
      local last = g.first + g.span - 1
      wid[last] = wid[last] + extra
    end
  end
  local total = w0
  for j = 1, nc do total = total + 2 + wid[j] end

  local function cellstr(c, j)
    if c.kind == "num" then
      return center(lpad(c.core, core[j]) .. rpad(c.suffix, suf[j]), wid[j])
    end
    return center(c.core, wid[j])
  end
  local function line(label, strs)
    return rstrip(rpad(label, w0) .. "  " .. concat(strs, "  "))
  end

  local out = {}
  if tab.title then insert(out, tab.title) end
  insert(out, rep("=", total))
  if tab.groups then
    local strs = {}
    for _, g in ipairs(tab.groups) do
      local span = 2 * (g.span - 1)
      for j = g.first, g.first + g.span - 1 do span = span + wid[j] end
      insert(strs, center(g.label, span))
    end
    insert(out, line("", strs))
  end
  local hs = {}
  for j = 1, nc do hs[j] = center(tab.columns[j], wid[j]) end
  insert(out, line("", hs))
  for _, r in ipairs(tab.head) do
    local strs = {}
    for j = 1, nc do strs[j] = cellstr(r.cells[j], j) end
    insert(out, line(r.label, strs))
  end
  for _, sec in ipairs(tab.sections) do
    insert(out, rep("-", total))
    for _, r in ipairs(sec) do
      local strs = {}
      for j = 1, nc do strs[j] = cellstr(r.cells[j], j) end
      insert(out, line(r.label, strs))
    end
  end
  insert(out, rep("=", total))
  for _, f in ipairs(tab.footer) do insert(out, f.text) end
  return concat(out, "\n")
end

-- Group and column label joined, for formats with a single header row.
local function flat_columns(tab)
  local cols = {}
  for j, c in ipairs(tab.columns) do cols[j] = c end
  for _, g in ipairs(tab.groups or {}) do
    for j = g.first, g.first + g.span - 1 do cols[j] = g.label .. ": " .. cols[j] end
  end
  return cols
end

local function md_escape(s)
  return (s:gsub("[\\`*_|]", "\\%0"))
end

local function render_markdown(tab)
  local out = {}
  if tab.title then insert(out, md_escape(tab.title)); insert(out, "") end
  local function row(label, cells)
    local parts = {md_escape(label)}
    for j, c in ipairs(cells) do parts[j + 1] = md_escape(c) end
    return "| " .. concat(parts, " | ") .. " |"
  end
  local cols = flat_columns(tab)
  insert(out, row("", cols))
  local sep = {":---"}
  for j = 1, #cols do sep[j + 1] = ":---:" end
  insert(out, "| " .. concat(sep, " | ") .. " |")
  for _, r in ipairs(all_rows(tab)) do
    local cells = {}
    for j, c in ipairs(r.cells) do cells[j] = c.core .. c.suffix end
    insert(out, row(r.label, cells))
  end
  for _, f in ipairs(tab.footer) do
    insert(out, "")
    insert(out, md_escape(f.text))
  end
  return concat(out, "\n")
end

-- A caption is numbered by LaTeX: a title's own "Table 1." / "Table 1:" /
-- "表1" is left out of it.
local function caption_text(title)
  local s = title:gsub("^[Tt]able%s+[%w%.%-]+[%.:]?%s+", "", 1)
  s = s:gsub("^表%s*[%d一二三四五六七八九十]+[%.:：。、]?%s*", "", 1)
  if s == "" then return title end
  return s
end

-- CJK text (U+2E80 and up, by UTF-8 lead byte E2 BA.. or higher) needs
-- xelatex with xeCJK (or ctex); pdflatex stops at it.
local function has_cjk(s)
  for _, c in utf8.codes(s) do
    if c >= 0x2E80 and not (c >= 0xFE00 and c <= 0xFE0F) then return true end
  end
  return false
end

local function latex_cell(c)
  local s = tex_escape(c.core)
  -- A real minus sign, not a hyphen.
  if c.kind == "num" then s = s:gsub("%-", "$-$") end
  if c.stars > 0 then s = s .. "$^{" .. c.suffix .. "}$"
  else s = s .. tex_escape(c.suffix) end
  return s
end

local function render_latex(tab, label)
  label = tab.label or label
  local nc = #tab.columns
  local body = {}
  local function row(lbl, cells)
    return lbl .. " & " .. concat(cells, " & ") .. " \\\\"
  end
  insert(body, "\\begin{tabular}{l" .. rep("c", nc) .. "}")
  insert(body, "\\toprule")
  if tab.groups then
    local cells, rules = {}, {}
    for _, g in ipairs(tab.groups) do
      local l = tex_escape(g.label)
      insert(cells, g.span == 1 and l or fmt("\\multicolumn{%d}{c}{%s}", g.span, l))
      insert(rules, fmt("\\cmidrule(lr){%d-%d}", g.first + 1, g.first + g.span))
    end
    insert(body, row("", cells))
    insert(body, concat(rules))
  end
  local hs = {}
  for j, c in ipairs(tab.columns) do hs[j] = tex_escape(c) end
  insert(body, row("", hs))
  local function add(r)
    local cells = {}
    for j, c in ipairs(r.cells) do cells[j] = latex_cell(c) end
    insert(body, row(r.latex_label or tex_escape(r.label), cells))
  end
  for _, r in ipairs(tab.head) do add(r) end
  for _, sec in ipairs(tab.sections) do
    insert(body, "\\midrule")
    for _, r in ipairs(sec) do add(r) end
  end
  insert(body, "\\bottomrule")
  insert(body, "\\end{tabular}")

  local float = tab.title ~= nil or tab.label ~= nil or tab.landscape
  local packages = {"booktabs"}
  if tab.resize then insert(packages, "graphicx") end
  if tab.landscape then insert(packages, "pdflscape") end
  local uses = {}
  for k, p in ipairs(packages) do uses[k] = "\\usepackage{" .. p .. "}" end
  local out = {"% tfpkit table. Needs in the preamble: " .. concat(uses, " ")}
  local text = concat(body, "\n") .. (tab.title or "")
  for _, f in ipairs(tab.footer) do text = text .. f.text end
  if has_cjk(text) then
    insert(out, "% Chinese (CJK) text: compile with xelatex and \\usepackage{xeCJK} (or the ctex class)")
  end
  if tab.landscape then insert(out, "\\begin{landscape}") end
  if float then
    insert(out, "\\begin{table}[htbp]\\centering")
    if tab.title then insert(out, "\\caption{" .. tex_escape(caption_text(tab.title)) .. "}") end
    if label then insert(out, "\\label{" .. label .. "}") end
  else
    insert(out, "{\\centering")
  end
  if tab.size then insert(out, "\\" .. tab.size) end
  if tab.resize then
    insert(out, "\\resizebox{\\linewidth}{!}{%")
    body[#body] = body[#body] .. "}"
  end
  for _, l in ipairs(body) do insert(out, l) end
  if #tab.footer > 0 then
    local notes = {}
    for _, f in ipairs(tab.footer) do insert(notes, f.tex or tex_escape(f.text)) end
    insert(out, "\\par\\smallskip")
    insert(out, "\\begin{minipage}{\\linewidth}\\footnotesize")
    insert(out, concat(notes, "\\\\\n"))
    insert(out, "\\end{minipage}")
  end
  if float then insert(out, "\\end{table}") else insert(out, "\\par}") end
  if tab.landscape then insert(out, "\\end{landscape}") end
  return concat(out, "\n")
end

local function csv_field(s)
  if s:find('[",\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

-- CSV (RFC 4180, CRLF, UTF-8): the header row (group and column label joined
-- as "group: label"), the body, then a blank line and the notes, one a line.
-- The title is not in it (the first row is the header, for programs).
local function render_csv(tab)
  local out = {}
  local function row(label, cells)
    local parts = {csv_field(label)}
    for j, c in ipairs(cells) do parts[j + 1] = csv_field(c) end
    insert(out, concat(parts, ","))
  end
  row("", flat_columns(tab))
  for _, r in ipairs(all_rows(tab)) do
    local cells = {}
    for j, c in ipairs(r.cells) do cells[j] = c.core .. c.suffix end
    row(r.label, cells)
  end
  if #tab.footer > 0 then
    insert(out, "")
    for _, f in ipairs(tab.footer) do insert(out, csv_field(f.text)) end
  end
  return concat(out, "\r\n")
end

local HTML_ESCAPE = {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;"}
local function html_escape(s) return (s:gsub("[&<>\"']", HTML_ESCAPE)) end

-- HTML: a whole UTF-8 page holding one table (caption, group headers over
-- their columns, rules between sections, notes in the table's foot).
local function render_html(tab)
  local nc = #tab.columns
  local out = {
    "<!DOCTYPE html>",
    "<html>",
    "<head>",
    "<meta charset=\"utf-8\">",
    "<title>" .. html_escape(tab.title or "table") .. "</title>",
    "<style>",
    "table.tfp { border-collapse: collapse; font-family: 'Times New Roman', serif; }",
    "table.tfp caption { font-weight: bold; padding-bottom: 0.5em; }",
    "table.tfp th, table.tfp td { padding: 0.1em 0.8em; text-align: center; white-space: nowrap; }",
    "table.tfp th:first-child, table.tfp td:first-child { text-align: left; }",
    "table.tfp thead tr:first-child th { border-top: 2px solid black; }",
    "table.tfp thead tr:last-child th { border-bottom: 1px solid black; }",
    "table.tfp tbody.rule tr:first-child td { border-top: 1px solid black; }",
    "table.tfp tbody:last-of-type tr:last-child td { border-bottom: 2px solid black; }",
    "table.tfp tfoot td { text-align: left; font-size: 0.85em; white-space: normal; }",
    "</style>",
    "</head>",
    "<body>",
    "<table class=\"tfp\">",
  }
  if tab.title then insert(out, "<caption>" .. html_escape(tab.title) .. "</caption>") end
  insert(out, "<thead>")
  if tab.groups then
    local cells = {"<th></th>"}
    local j = 1
    for _, g in ipairs(tab.groups) do
      while j < g.first do insert(cells, "<th></th>"); j = j + 1 end
      insert(cells, fmt("<th colspan=\"%d\">%s</th>", g.span, html_escape(g.label)))
      j = g.first + g.span
    end
    while j <= nc do insert(cells, "<th></th>"); j = j + 1 end
    insert(out, "<tr>" .. concat(cells) .. "</tr>")
  end
  local hs = {"<th></th>"}
  for _, c in ipairs(tab.columns) do insert(hs, "<th>" .. html_escape(c) .. "</th>") end
  insert(out, "<tr>" .. concat(hs) .. "</tr>")
  insert(out, "</thead>")
  local function add(r)
    local cells = {"<td>" .. html_escape(r.label) .. "</td>"}
    for _, c in ipairs(r.cells) do
      local s = html_escape(c.core)
      if c.kind == "num" then s = s:gsub("%-", "&minus;") end
      if c.stars > 0 then s = s .. "<sup>" .. c.suffix .. "</sup>" else s = s .. html_escape(c.suffix) end
      insert(cells, "<td>" .. s .. "</td>")
    end
    insert(out, "<tr>" .. concat(cells) .. "</tr>")
  end
  if #tab.head > 0 then
    insert(out, "<tbody>")
    for _, r in ipairs(tab.head) do add(r) end
    insert(out, "</tbody>")
  end
  for _, sec in ipairs(tab.sections) do
    insert(out, "<tbody class=\"rule\">")
    for _, r in ipairs(sec) do add(r) end
    insert(out, "</tbody>")
  end
  if #tab.footer > 0 then
    insert(out, "<tfoot>")
    for _, f in ipairs(tab.footer) do
      insert(out, fmt("<tr><td colspan=\"%d\">%s</td></tr>", nc + 1, html_escape(f.text)))
    end
    insert(out, "</tfoot>")
  end
  insert(out, "</table>")
  insert(out, "</body>")
  insert(out, "</html>")
  return concat(out, "\n")
end

-- RTF text: \ { } escaped, non-ASCII as \uN? (signed 16-bit, UTF-16
-- surrogate pairs above U+FFFF), so Word shows Chinese whatever its code page.
local function rtf_escape(s)
  local out = {}
  for _, c in utf8.codes(s) do
    if c == 92 or c == 123 or c == 125 then insert(out, "\\" .. utf8.char(c))
    elseif c < 128 then insert(out, string.char(c))
    else
      local units = {c}
      if c > 0xFFFF then
        c = c - 0x10000
        units = {0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF)}
      end
      for _, u in ipairs(units) do
        insert(out, fmt("\\u%d?", u >= 0x8000 and u - 0x10000 or u))
      end
    end
  end
  return concat(out)
end

local RTF_SIZE = {tiny = 12, scriptsize = 14, footnotesize = 16, small = 18, normalsize = 20}

-- RTF as esttab writes it: a Word table, rules as cell borders (top of the
-- header, below the header, between sections, bottom), Times New Roman,
-- notes as paragraphs below. landscape turns the page.
local function render_rtf(tab)
  local nc = #tab.columns
  local fs = RTF_SIZE[tab.size or "normalsize"]
  local all = all_rows(tab)
  local w0 = 0
  for _, r in ipairs(all) do w0 = math.max(w0, width(r.label)) end
  local wc = 0
  for j = 1, nc do
    wc = math.max(wc, width(tab.columns[j]))
    for _, r in ipairs(all) do wc = math.max(wc, width(r.cells[j].core .. r.cells[j].suffix)) end
  end
  local twips = fs * 6   -- about one character at this size
  local x0 = math.max(1800, (w0 + 2) * twips)
  local xc = math.max(1000, (wc + 2) * twips)
  local out = {
    "{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1",
    "{\\fonttbl{\\f0\\froman\\fcharset0 Times New Roman;}}",
  }
  if tab.landscape then insert(out, "\\paperw16838\\paperh11906\\margl1134\\margr1134\\landscape") end
  insert(out, "\\plain\\f0\\fs" .. fs)
  if tab.title then
    insert(out, "{\\pard\\plain\\f0\\fs" .. fs .. "\\qc\\b " .. rtf_escape(tab.title) .. "\\par}")
  end
  -- border: "t" (thick top), "b" (bottom), "tb"...
  local function row(label, cells, border, merge)
    local def = {"\\trowd\\trgaph108\\trleft-108"}
    local edges = {x0}
    for j = 1, nc do edges[j + 1] = x0 + j * xc end
    for j = 0, nc do
      local b = ""
      if border and border:find("T") then b = b .. "\\clbrdrt\\brdrw20\\brdrs" end
      if border and border:find("t") then b = b .. "\\clbrdrt\\brdrw10\\brdrs" end
      if border and border:find("B") then b = b .. "\\clbrdrb\\brdrw20\\brdrs" end
      if border and border:find("b") then b = b .. "\\clbrdrb\\brdrw10\\brdrs" end
      if merge and merge[j] then b = b .. merge[j] end
      insert(def, b .. "\\cellx" .. edges[j + 1])
    end
    local content = {"\\pard\\intbl\\ql{" .. rtf_escape(label) .. "}\\cell"}
    for _, c in ipairs(cells) do insert(content, "\\pard\\intbl\\qc{" .. c .. "}\\cell") end
    insert(out, concat(def) .. "\n" .. concat(content) .. "\\row")
  end
  local first = true
  if tab.groups then
    local cells, merge = {}, {}
    for j = 1, nc do cells[j] = "" end
    for _, g in ipairs(tab.groups) do
      cells[g.first] = rtf_escape(g.label)
      if g.span > 1 then
        merge[g.first] = "\\clmgf"
        for j = g.first + 1, g.first + g.span - 1 do merge[j] = "\\clmrg" end
      end
    end
    row("", cells, "T", merge)
    first = false
  end
  local hs = {}
  for j, c in ipairs(tab.columns) do hs[j] = rtf_escape(c) end
  row("", hs, first and "Tb" or "b")
  local function cellstr(c)
    local s = rtf_escape(c.core)
    if c.stars > 0 then return s .. "{\\super " .. c.suffix .. "}" end
    return s .. rtf_escape(c.suffix)
  end
  local rows = {}
  for _, r in ipairs(tab.head) do insert(rows, {r = r}) end
  for _, sec in ipairs(tab.sections) do
    for k, r in ipairs(sec) do insert(rows, {r = r, top = k == 1 and #rows > 0}) end
  end
  for k, e in ipairs(rows) do
    local cells = {}
    for j, c in ipairs(e.r.cells) do cells[j] = cellstr(c) end
    local border = (e.top and "t" or "") .. (k == #rows and "B" or "")
    row(e.r.label, cells, border ~= "" and border or nil)
  end
  for _, f in ipairs(tab.footer) do
    insert(out, "{\\pard\\plain\\f0\\fs" .. (fs - 4) .. "\\ql " .. rtf_escape(f.text) .. "\\par}")
  end
  insert(out, "}")
  return concat(out, "\n")
end

R.formats = {text = render_text, markdown = render_markdown,
             latex = render_latex, csv = render_csv, html = render_html, rtf = render_rtf}
R.FORMAT_LIST = "text, markdown, latex, csv, html or rtf"

return R
