-- Tests of tfp.table, the publication-table renderer. Runs under tfpkit from
-- tests/ (the module embedded in the binary) or under plain lua5.4 from tests/
-- (the module read from ../lua/table.lua).
--
-- The expected strings are written by hand from the layout rules: this is
-- formatting, not numerics, so no tolerance applies; cells must match exactly.
-- The fitted models are fakes with chosen numbers (stars come from their p).

local function load_module()
  local ok, T = pcall(require, "tfp.table")
  if ok and type(T) == "table" and T.new then return T, "require 'tfp.table'" end
  for _, path in ipairs({"../lua/table.lua", "lua/table.lua"}) do
    local chunk = loadfile(path)
    if chunk then
      package.loaded["tfp.table"] = nil
      package.preload["tfp.table"] = chunk
      return require("tfp.table"), path
    end
  end
  error("cannot find the tfp.table module (run from tests/)")
end

local T, source = load_module()

local check = dofile("lua/check.lua")
local test = check.test

-- Exact text: on a mismatch, report the first line that differs.
local function eq(got, want, what)
  if got == want then return end
  local gl, wl = {}, {}
  for l in (tostring(got) .. "\n"):gmatch("(.-)\n") do gl[#gl + 1] = l end
  for l in (tostring(want) .. "\n"):gmatch("(.-)\n") do wl[#wl + 1] = l end
  for i = 1, math.max(#gl, #wl) do
    check.eq(gl[i], wl[i], string.format("%s, line %d", what or "value", i))
  end
  check.eq(got, want, what)
end

local function raises(fn, needle) return check.errors(fn, needle) end

local function lines(...) return table.concat({...}, "\n") end

-- The CSV body: the rows before the blank line that starts the notes.
local function csvbody(tab) return (tab:render("csv"):gsub("\r\n\r\n.*$", "")) end

-- Two fake fits shaped like the paper's Table 1 columns (total and high-end SAGG).
local function fit_total()
  return {
    names = {"SAGG", "STR", "GOV"},
    coef = {SAGG = 0.0504, STR = 0.0241, GOV = -0.0931},
    se = {SAGG = 0.0197, STR = 0.00452, GOV = 0.0482},
    t = {SAGG = 2.56, STR = 5.33, GOV = -1.93},
    p = {SAGG = 0.0105, STR = 1e-7, GOV = 0.0536},
    N = 3393, N_g = 261, N_dropped = 522, r2 = 0.8871,
    kp_lm = 101.265, kp_lm_p = 0, kp_f = 133.094, cd_f = 140.5,
    hansen_j = 0.090, hansen_j_p = 0.7644, hansen_df = 1,
    depvar = "TFP", method = "2sls", vce = "robust", small = false,
    fe = {"year", "city"}, df_r = 3122,
  }
end

local function fit_high()
  return {
    names = {"SAGG_high", "STR", "ROAD"},
    coef = {SAGG_high = 0.0581, STR = 0.0240, ROAD = -0.0003},
    se = {SAGG_high = 0.0133, STR = 0.00446, ROAD = 0.0000893},
    t = {SAGG_high = 4.37, STR = 5.38, ROAD = -3.36},
    -- STR sits exactly on the 5% level: one star, not two.
    p = {SAGG_high = 0.0000124, STR = 0.05, ROAD = 0.0008},
    N = 3393.0, N_g = 261, r2 = 0.888,
    kp_lm = 244.658, kp_lm_p = 0.00001, kp_f = 330.248,
    hansen_j = 0 / 0, -- missing: prints blank
    depvar = "TFP", method = "gmm", vce = "robust", small = false,
    fe = {"year", "city"},
  }
end

print("tfp.table from " .. source)

---------------------------------------------------------------- formats

test("text format aligns the paper's layout with blanks for missing cells", function()
  local tab = T.new({{label = "2SLS", fit_total()}, {label = "IV-GMM", fit_high()}},
                    {title = "Table 1: TFP", rename = {SAGG_high = "SAGG"}})
  eq(tostring(tab), lines(
    "Table 1: TFP",
    "=================================================",
    "                              2SLS       IV-GMM",
    "-------------------------------------------------",
    "SAGG                         0.050**     0.058***",
    "                             (2.56)      (4.37)",
    "STR                          0.024***    0.024*",
    "                             (5.33)      (5.38)",
    "GOV                         -0.093*",
    "                            (-1.93)",
    "ROAD                                     0.000***",
    "                                        (-3.36)",
    "-------------------------------------------------",
    "Year FE                        Y           Y",
    "City FE                        Y           Y",
    "-------------------------------------------------",
    "Kleibergen-Paap rk LM      101.265     244.658",
    "                            [0.000]     [0.000]",
    "Kleibergen-Paap rk Wald F  133.094     330.248",
    "Hansen J                     0.090",
    "                           [0.7644]",
    "N                             3393        3393",
    "Within R2                    0.887       0.888",
    "N dropped                      522",
    "=================================================",
    "t statistics in parentheses",
    "* p<0.10, ** p<0.05, *** p<0.01",
    "p values in brackets"), "text")
end)

test("markdown format is a pipe table with escaped stars and the footer below", function()
  local tab = T.new({{label = "2SLS", fit_total()}, {label = "IV-GMM", fit_high()}},
                    {title = "Table 1: TFP", rename = {SAGG_high = "SAGG"}})
  eq(tab:render("markdown"), lines(
    "Table 1: TFP",
    "",
    "|  | 2SLS | IV-GMM |",
    "| :--- | :---: | :---: |",
    "| SAGG | 0.050\\*\\* | 0.058\\*\\*\\* |",
    "|  | (2.56) | (4.37) |",
    "| STR | 0.024\\*\\*\\* | 0.024\\* |",
    "|  | (5.33) | (5.38) |",
    "| GOV | -0.093\\* |  |",
    "|  | (-1.93) |  |",
    "| ROAD |  | 0.000\\*\\*\\* |",
    "|  |  | (-3.36) |",
    "| Year FE | Y | Y |",
    "| City FE | Y | Y |",
    "| Kleibergen-Paap rk LM | 101.265 | 244.658 |",
    "|  | [0.000] | [0.000] |",
    "| Kleibergen-Paap rk Wald F | 133.094 | 330.248 |",
    "| Hansen J | 0.090 |  |",
    "|  | [0.7644] |  |",
    "| N | 3393 | 3393 |",
    "| Within R2 | 0.887 | 0.888 |",
    "| N dropped | 522 |  |",
    "",
    "t statistics in parentheses",
    "",
    "\\* p<0.10, \\*\\* p<0.05, \\*\\*\\* p<0.01",
    "",
    "p values in brackets"), "markdown")
end)

test("latex format is a booktabs tabular with math stars and escaped names", function()
  local tab = T.new({fit_total(), fit_high()},
                    {title = "TFP & agglomeration", labels = {"Total", "High-end"},
                     groups = {{"IV", 2}}, keep = {"SAGG.*"}, stats = {"N", "r2"},
                     fe_rows = false})
  eq(tab:render("latex"), lines(
    "% tfpkit table. Needs in the preamble: \\usepackage{booktabs}",
    "\\begin{table}[htbp]\\centering",
    "\\caption{TFP \\& agglomeration}",
    "\\begin{tabular}{lcc}",
    "\\toprule",
    " & \\multicolumn{2}{c}{IV} \\\\",
    "\\cmidrule(lr){2-3}",
    " & Total & High-end \\\\",
    "\\midrule",
    "SAGG & 0.050$^{**}$ &  \\\\",
    " & (2.56) &  \\\\",
    "SAGG\\_high &  & 0.058$^{***}$ \\\\",
    " &  & (4.37) \\\\",
    "\\midrule",
    "N & 3393 & 3393 \\\\",
    "Within $R^2$ & 0.887 & 0.888 \\\\",
    "\\bottomrule",
    "\\end{tabular}",
    "\\par\\smallskip",
    "\\begin{minipage}{\\linewidth}\\footnotesize",
    "$t$ statistics in parentheses\\\\",
    "$^{*}$ $p<0.10$, $^{**}$ $p<0.05$, $^{***}$ $p<0.01$",
    "\\end{minipage}",
    "\\end{table}"), "latex")
end)

test("latex without a title is a centred tabular with its notes, no float", function()
  local s = T.new({fit_total()}, {keep = "SAGG", stats = {}, fe_rows = false,
                                 stars = false}):render("latex")
  eq(s, lines(
    "% tfpkit table. Needs in the preamble: \\usepackage{booktabs}",
    "{\\centering",
    "\\begin{tabular}{lc}",
    "\\toprule",
    " & (1) \\\\",
    "\\midrule",
    "SAGG & 0.050 \\\\",
    " & (2.56) \\\\",
    "\\bottomrule",
    "\\end{tabular}",
    "\\par\\smallskip",
    "\\begin{minipage}{\\linewidth}\\footnotesize",
    "$t$ statistics in parentheses",
    "\\end{minipage}",
    "\\par}"), "latex")
end)

test("latex prints real minus signs, and a title's own table number is left to the caption", function()
  local tab = T.new({fit_total()}, {title = "Table 1. TFP", keep = "GOV", stats = {}, fe_rows = false,
                                    notes = "a < b"})
  local s = tab:render("latex")
  check.truthy(s:find("\\caption{TFP}", 1, true), "caption without 'Table 1.': " .. s)
  check.truthy(s:find("GOV & $-$0.093$^{*}$ \\\\\n & ($-$1.93) \\\\", 1, true), "minus signs: " .. s)
  check.truthy(s:find("a \\textless{} b", 1, true), "a note's < escaped: " .. s)
  eq(tostring(tab):match("^[^\n]*"), "Table 1. TFP", "the text title keeps its number")
  local cn = T.new({fit_total()}, {title = "表2 东部地区", keep = "GOV"}):render("latex")
  check.truthy(cn:find("\\caption{东部地区}", 1, true), "Chinese table number left out: " .. cn)
end)

test("latex size, resize, landscape and label wrap the tabular and name their packages", function()
  local s = T.new({fit_total()}, {keep = "SAGG", stats = {}, fe_rows = false, stars = false,
                                  label = "tab:one", size = "footnotesize", resize = true,
                                  landscape = true}):render("latex")
  eq(s, lines(
    "% tfpkit table. Needs in the preamble: \\usepackage{booktabs} \\usepackage{graphicx} \\usepackage{pdflscape}",
    "\\begin{landscape}",
    "\\begin{table}[htbp]\\centering",
    "\\label{tab:one}",
    "\\footnotesize",
    "\\resizebox{\\linewidth}{!}{%",
    "\\begin{tabular}{lc}",
    "\\toprule",
    " & (1) \\\\",
    "\\midrule",
    "SAGG & 0.050 \\\\",
    " & (2.56) \\\\",
    "\\bottomrule",
    "\\end{tabular}}",
    "\\par\\smallskip",
    "\\begin{minipage}{\\linewidth}\\footnotesize",
    "$t$ statistics in parentheses",
    "\\end{minipage}",
    "\\end{table}",
    "\\end{landscape}"), "latex")
end)

test("csv ends with a blank line and the notes, and Chinese labels stay UTF-8", function()
  local tab = T.new({{label = "东部", fit_total()}}, {keep = "SAGG", fe_rows = false, stats = {"N"},
                                                     notes = "样本: 2003-2016"})
  eq(tab:render("csv"), table.concat({",东部", "SAGG,0.050**", ",(2.56)", "N,3393", "",
    "t statistics in parentheses", '"* p<0.10, ** p<0.05, *** p<0.01"', "样本: 2003-2016"}, "\r\n"), "csv")
end)

-- Braces of an RTF document balance (escaped ones aside) and close at the end.
local function rtf_balanced(s)
  local depth = 0
  local i = 1
  while i <= #s do
    local c = s:sub(i, i)
    if c == "\\" then i = i + 1
    elseif c == "{" then depth = depth + 1
    elseif c == "}" then depth = depth - 1; if depth == 0 and i < #s then return false end end
    i = i + 1
  end
  return depth == 0
end

test("rtf is one Word document: a table row per line of the table, rules as borders", function()
  local tab = T.new({fit_total(), {label = "东部 {x}", fit_high()}},
                    {title = "Table 1", groups = {{"IV", 2}}, keep = "SAGG.*", stats = {"N"},
                     fe_rows = false})
  local s = tab:render("rtf")
  check.truthy(s:find("^{\\rtf1\\ansi"), "header")
  check.truthy(rtf_balanced(s), "braces balance")
  local _, rows = s:gsub("\\row", "")
  eq(rows, 7, "rows: group, columns, 2 x 2 coefficient lines, N")
  check.truthy(s:find("\\clmgf", 1, true) and s:find("\\clmrg", 1, true), "group header merged")
  check.truthy(s:find("{\\u19996?\\u-28440? \\{x\\}}", 1, true), "Chinese as \\u, braces escaped")
  check.truthy(s:find("0.050{\\super **}", 1, true), "stars as superscript")
  check.truthy(s:find("{\\pard\\plain\\f0\\fs16\\ql t statistics in parentheses\\par}", 1, true), "notes")
  check.truthy(s:find("\\qc\\b Table 1\\par", 1, true), "title")
  local land = T.new({fit_total()}, {landscape = true, size = "small"}):render("rtf")
  check.truthy(land:find("\\landscape", 1, true) and land:find("\\fs18", 1, true), "landscape and size")
end)

test("html is a UTF-8 page with one table: caption, spanning groups, sections and notes", function()
  local tab = T.new({fit_total(), {label = "东部 <b>", fit_high()}},
                    {title = "Table 1 & 2", groups = {{"IV", 2}}, keep = "GOV", stats = {"N"},
                     fe_rows = false})
  local s = tab:render("html")
  check.truthy(s:find("<meta charset=\"utf-8\">", 1, true), "charset")
  check.truthy(s:find("<caption>Table 1 &amp; 2</caption>", 1, true), "caption")
  check.truthy(s:find("<tr><th></th><th colspan=\"2\">IV</th></tr>", 1, true), "group")
  check.truthy(s:find("<th>东部 &lt;b&gt;</th>", 1, true), "escaped Chinese label")
  check.truthy(s:find("<td>&minus;0.093<sup>*</sup></td>", 1, true), "minus and stars")
  check.truthy(s:find("<td>(&minus;1.93)</td>", 1, true), "t in parentheses")
  check.truthy(s:find("<tr><td colspan=\"3\">t statistics in parentheses</td></tr>", 1, true), "notes")
  local _, bodies = s:gsub("<tbody class=\"rule\">", "")
  eq(bodies, 2, "sections")
end)

test("csv format has one header row, a label column and RFC 4180 quoting", function()
  local tab = T.new({fit_total(), fit_high()},
                    {rename = {ROAD = 'Road, "paved" km'}, stats = {"N"}, fe_rows = false,
                     title = "not in the csv"})
  eq(csvbody(tab), table.concat({
    ",(1),(2)",
    "SAGG,0.050**,",
    ",(2.56),",
    "STR,0.024***,0.024*",
    ",(5.33),(5.38)",
    "GOV,-0.093*,",
    ",(-1.93),",
    "SAGG_high,,0.058***",
    ",,(4.37)",
    '"Road, ""paved"" km",,0.000***',
    ",,(-3.36)",
    "N,3393,3393"}, "\r\n"), "csv")
end)

test("render without a format, tostring and the module call agree", function()
  local a = T.new({fit_total()})
  local b = T({fit_total()})
  eq(a:render(), tostring(a), "render()")
  eq(T.render(b, "text"), tostring(a), "T(...)")
  eq(csvbody(T.new(fit_total())), csvbody(a), "a single fit")
end)

test("the host's tfp.table, when present, is this renderer", function()
  local host = rawget(_G, "tfp")
  if type(host) ~= "table" or host.table == nil then
    -- Outside tfpkit, or before the host installs it: install into a stand-in.
    print("(tfp.table not installed by a host: checking T.install instead)")
    host = {}
    T.install(host)
  end
  eq(type(host.table), "function", "tfp.table is a function")
  local a = host.table({fit_total()}, {stats = {"N"}})
  eq(tostring(a), tostring(T.new({fit_total()}, {stats = {"N"}})), "tfp.table")
  check.errors(function() host.table({}) end, "no models to tabulate")
end)

---------------------------------------------------------------- stars and numbers

test("a star is earned only when p is strictly below its level", function()
  local cases = { -- p, expected cell
    {0.5, "1.000"}, {0.10, "1.000"}, {0.0999, "1.000*"}, {0.05, "1.000*"},
    {0.0499, "1.000**"}, {0.01, "1.000**"}, {0.0099, "1.000***"}, {0, "1.000***"},
    {1, "1.000"}, {0 / 0, "1.000"},
  }
  local m = {names = {}, coef = {}, p = {}, t = {}}
  for i, c in ipairs(cases) do
    local name = "x" .. i
    m.names[i], m.coef[name], m.p[name], m.t[name] = name, 1, c[1], 1
  end
  local csv = csvbody(T.new({m}, {stats = {}, fe_rows = false}))
  local row = 0
  for line in (csv .. "\r\n"):gmatch("(.-)\r\n") do
    local label, cell = line:match("^(x%d+),(.*)$")
    if label then
      row = row + 1
      eq(cell, cases[row][2], string.format("p = %s", tostring(cases[row][1])))
    end
  end
  eq(row, #cases, "rows")
end)

test("custom star levels are sorted, applied and stated in the footer", function()
  local m = {names = {"a", "b"}, coef = {a = 1, b = 1}, t = {a = 1, b = 1},
             p = {a = 0.04, b = 0.0005}}
  local s = T.new({m}, {stars = {0.01, 0.001, 0.05}, stats = {}, fe_rows = false})
  eq(tostring(s), lines(
    "===========",
    "     (1)",
    "-----------",
    "a  1.000*",
    "   (1.00)",
    "b  1.000***",
    "   (1.00)",
    "===========",
    "t statistics in parentheses",
    "* p<0.05, ** p<0.01, *** p<0.001"), "text")
end)

test("stars = false prints no stars and no star line", function()
  local s = T.new({fit_total()}, {stars = false, keep = "SAGG", stats = {}, fe_rows = false})
  eq(csvbody(s), ",(1)\r\nSAGG,0.050\r\n,(2.56)", "csv body")
  eq(s:render("markdown"), lines(
    "|  | (1) |", "| :--- | :---: |", "| SAGG | 0.050 |", "|  | (2.56) |",
    "", "t statistics in parentheses"), "markdown")
end)

test("numbers never print as -0 or nan, and large numbers keep every digit", function()
  local m = {
    names = {"negzero", "tiny", "missing", "big", "neg"},
    coef = {negzero = -0.0, tiny = -0.0004, missing = 0 / 0, big = 123456789.5, neg = -2.5},
    t = {negzero = -0.0, tiny = -0.001, missing = 1, big = 1234.5678, neg = -10},
    N = 1e6, kp_f = math.huge, r2 = 0 / 0,
  }
  local s = T.new({m}, {stats = {"N", "kp_f", "r2"}, fe_rows = false, stars = false})
  eq(csvbody(s), table.concat({
    ",(1)",
    "negzero,0.000", ",(0.00)",
    "tiny,0.000", ",(0.00)",
    "missing,", ",",
    "big,123456789.500", ",(1234.57)",
    "neg,-2.500", ",(-10.00)",
    "N,1000000",
    "Kleibergen-Paap rk Wald F,Inf",
    "Centered R2,"}, "\r\n"), "csv")
  assert(not s:render("text"):find("nan"), "no nan in text")
end)

test("digits and stat_digits set decimals, per row where asked", function()
  local m = {names = {"SAGG", "ROAD"}, coef = {SAGG = 0.05043, ROAD = -0.00036},
             t = {SAGG = 2.5612, ROAD = -0.9812}}
  local s = T.new({m}, {digits = {2, ROAD = 4}, stat_digits = 3, stats = {},
                        fe_rows = false, stars = false})
  eq(csvbody(s), ",(1)\r\nSAGG,0.05\r\n,(2.561)\r\nROAD,-0.0004\r\n,(-0.981)", "csv")
end)

test("stat = se shows standard errors to the coefficient's digits and says so", function()
  local s = T.new({fit_total()}, {stat = "se", keep = "SAGG", stats = {}, fe_rows = false})
  eq(csvbody(s), ",(1)\r\nSAGG,0.050**\r\n,(0.020)", "csv")
  eq(s:render("text"):match("[^\n]*parentheses"), "Standard errors in parentheses", "footer")
end)

test("stat = z shows the same ratio and names it z", function()
  local s = T.new({fit_total()}, {stat = "z", keep = "SAGG", stats = {}, fe_rows = false})
  eq(csvbody(s), ",(1)\r\nSAGG,0.050**\r\n,(2.56)", "csv")
  eq(s:render("text"):match("[^\n]*parentheses"), "z statistics in parentheses", "footer")
  eq(s:render("latex"):match("[^\n]*parentheses[^\n]*"), "$z$ statistics in parentheses\\\\", "latex footer")
end)

---------------------------------------------------------------- rows

local function row_labels(tab)
  local out = {}
  for line in (csvbody(tab) .. "\r\n"):gmatch("(.-)\r\n") do
    local label = line:match("^([^,]+),")
    if label then out[#out + 1] = label end
  end
  return table.concat(out, " ")
end

local BARE = {stats = {}, fe_rows = false}
local function with(extra)
  local o = {}
  for k, v in pairs(BARE) do o[k] = v end
  for k, v in pairs(extra) do o[k] = v end
  return o
end

test("coefficient rows follow first appearance across models", function()
  eq(row_labels(T.new({fit_total(), fit_high()}, BARE)), "SAGG STR GOV SAGG_high ROAD", "rows")
end)

test("keep selects rows by exact name or whole-name Lua pattern", function()
  eq(row_labels(T.new({fit_total(), fit_high()}, with{keep = {"STR", "SAGG.*"}})),
     "SAGG STR SAGG_high", "rows")
  eq(row_labels(T.new({fit_total(), fit_high()}, with{keep = "^SAGG_%a+$"})),
     "SAGG_high", "anchored pattern")
  -- Whole-name matching: "G" is not a substring search.
  raises(function() T.new({fit_total(), fit_high()}, with{keep = "G"}) end,
         "opts.keep entry 'G' matches no coefficient")
end)

test("drop removes matching rows", function()
  eq(row_labels(T.new({fit_total(), fit_high()}, with{drop = {"SAGG.*", "ROAD"}})),
     "STR GOV", "rows")
end)

test("order moves the listed rows to the top and keeps the rest in place", function()
  eq(row_labels(T.new({fit_total(), fit_high()}, with{order = {"ROAD", "SAGG.*"}})),
     "ROAD SAGG SAGG_high STR GOV", "rows")
end)

test("rename relabels rows and merges names that share a label", function()
  local tab = T.new({fit_total(), fit_high()},
                    with{rename = {SAGG_high = "SAGG", GOV = "Government"}})
  eq(row_labels(tab), "SAGG STR Government ROAD", "rows")
  eq(csvbody(tab):match("SAGG,[^\r]*"), "SAGG,0.050**,0.058***", "merged row")
end)

test("a keep, drop or order entry that matches nothing is an error naming it", function()
  raises(function() T.new({fit_total()}, {keep = {"SAGG", "SAG"}}) end,
         "opts.keep entry 'SAG' matches no coefficient")
  raises(function() T.new({fit_total()}, {drop = "POP"}) end,
         "opts.drop entry 'POP' matches no coefficient")
  raises(function() T.new({fit_total()}, {order = {"FDI"}}) end,
         "opts.order entry 'FDI' matches no coefficient")
  raises(function() T.new({fit_total()}, {keep = "SAGG[" }) end,
         "bad pattern 'SAGG[' in opts.keep")
end)

test("renaming two coefficients of one model onto one row is an error", function()
  raises(function() T.new({fit_total()}, {rename = {STR = "X", GOV = "X"}}) end,
         "model 1 has both 'STR' and 'GOV', renamed to the same row 'X'")
end)

test("fixed-effect rows show Y or N from each model's fe list", function()
  local ols = {names = {"SAGG"}, coef = {SAGG = 1}, fe = {"city"}}
  local none = {names = {"SAGG"}, coef = {SAGG = 1}}
  local tab = T.new({fit_total(), ols, none}, {stats = {}, keep = "SAGG"})
  eq(csvbody(tab), ",(1),(2),(3)\r\nSAGG,0.050**,1.000,1.000\r\n,(2.56),,\r\n"
     .. "Year FE,Y,N,N\r\nCity FE,Y,Y,N", "csv")
  local ordered = T.new({fit_total(), ols}, {stats = {}, keep = "SAGG",
                                             fe_rows = {"city", "year"}})
  eq(csvbody(ordered):match("City FE.*"), "City FE,Y,Y\r\nYear FE,Y,N", "fe_rows order")
end)

test("default diagnostics rows blank in every model are left out", function()
  local ols = {names = {"SAGG"}, coef = {SAGG = 1}, N = 50, r2 = 0.5}
  eq(row_labels(T.new({ols})), "SAGG N Centered R2", "rows")
  eq(row_labels(T.new({ols}, {stats = {"N", "kp_f", "hansen_j"}})), "SAGG N Kleibergen-Paap rk Wald F Hansen J",
     "explicit stats stay")
end)

test("stats choose, reorder and relabel the diagnostics rows", function()
  local tab = T.new({fit_total(), fit_high()},
                    {keep = "SAGG", fe_rows = false,
                     stats = {"N", "N_g", {"cd_f", label = "CD F"}, "method", "vce"}})
  eq(csvbody(tab):match("N,.*"), table.concat({
    "N,3393,3393", "Groups,261,261", "CD F,140.500,", "Estimator,2SLS,IV-GMM",
    "VCE,robust,robust"}, "\r\n"), "csv")
end)

test("every statistic of a fit is a row by name, with its p value in brackets", function()
  local m = fit_total()
  m.ar_f, m.ar_f_p, m.ar_chi2, m.ar_chi2_p = 12.5, 0.00002, 25.1, 0.000004
  m.endog, m.endog_p, m.dm, m.dm_p, m.r2_u, m.rmse, m.sigmasq = 7.25, 0.0071, 7.1, 0.0078, 0.95, 0.1, 0.01
  m.stock_yogo = {{label = "10% maximal IV size", value = 19.93}, {label = "15% maximal IV size", value = 11.59}}
  m.first = {{name = "SAGG", inst_names = {"L1.SAGG"}, coef = {["L1.SAGG"] = 0.9}, se = {["L1.SAGG"] = 0.1},
              F = 81, F_p = 0, sw_F = 81, sw_p = 0, pr2 = 0.3456, shea_pr2 = 0.3456}}
  local tab = T.new({m}, {keep = "SAGG", fe_rows = false,
                          stats = {"ar_f", "ar_chi2", "endog", "dm", "sy_size_10", "sy_size_15", "first_F",
                                   "first_pr2", "r2", "r2_u", "rmse", "sigmasq"}})
  eq(csvbody(tab):match("Anderson.*"), table.concat({
    "Anderson-Rubin Wald F,12.500", ",[0.0000]", "Anderson-Rubin Wald chi2,25.100", ",[0.0000]",
    "Endogeneity (C statistic),7.250", ",[0.0071]", "Davidson-MacKinnon,7.100", ",[0.0078]",
    "Stock-Yogo 10% max. IV size,19.93", "Stock-Yogo 15% max. IV size,11.59",
    "First-stage F,81.000", ",[0.0000]", "First-stage partial R2,0.346",
    "Within R2,0.887", "Uncentered R2,0.950", "Root MSE,0.100", "sigmasq,0.010"}, "\r\n"), "csv")
  check.truthy(tab:render("latex"):find("Anderson-Rubin Wald $\\chi^2$ & 25.100", 1, true), "latex chi2")
  raises(function() T.new({m}, {stats = {"nonesuch"}}) end, "unknown statistic 'nonesuch'")
  raises(function() T.new({m}, {stats = {{"N", lable = "x"}}}) end, "opts.stats[1]: unknown field 'lable'")
end)

test("R2 is labelled as xtivreg2 means it: within with fixed effects, centered without", function()
  local fe, nofe = fit_total(), fit_total()
  nofe.fe = nil
  local function r2row(fits) return csvbody(T.new(fits, {keep = "SAGG", fe_rows = false, stats = {"r2"}})) end
  check.truthy(r2row({fe}):find("\r\nWithin R2,0.887$"), "within")
  check.truthy(r2row({nofe}):find("\r\nCentered R2,0.887$"), "centered")
  local mixed = T.new({fe, nofe}, {keep = "SAGG", fe_rows = false, stats = {"r2"}})
  check.truthy(csvbody(mixed):find("\r\nR2,0.887,0.887$"), "mixed: plain R2")
  check.truthy(mixed:render("text"):find("R2: within R2 (of the demeaned model) with fixed effects, centered R2 without",
                                         1, true), "mixed: a note says which")
  check.truthy(csvbody(T.new({fe}, {keep = "SAGG", fe_rows = false, stats = {{"r2", label = "R-squared"}}}))
    :find("R-squared,0.887", 1, true), "own label")
end)

-- A fit with two endogenous regressors and their first stages.
local function fit_two_endog()
  local m = fit_total()
  m.first = {
    {name = "SAGG", inst_names = {"L1.SAGG", "L2.SAGG"}, coef = {["L1.SAGG"] = 0.8, ["L2.SAGG"] = -0.05},
     se = {["L1.SAGG"] = 0.1, ["L2.SAGG"] = 0.05}, F = 40.5, F_p = 0, sw_F = 38.25, sw_p = 0, pr2 = 0.25,
     F_df_r = 100},
    {name = "GOV", inst_names = {"L1.SAGG", "L2.SAGG"}, coef = {["L1.SAGG"] = 0.01, ["L2.SAGG"] = 0.3},
     se = {["L1.SAGG"] = 0.02, ["L2.SAGG"] = 0.1}, F = 4.5, F_p = 0.0111, sw_F = 3.9, sw_p = 0.0485, pr2 = 0.02,
     F_df_r = 100},
  }
  return m
end

test("stage = 1 shows each endogenous regressor's first stage, with F, SW F and partial R2", function()
  local tab = T.new({{label = "2SLS", fit_two_endog()}}, {stage = 1})
  eq(csvbody(tab), table.concat({
    ",2SLS,2SLS", "Dependent variable,SAGG,GOV",
    -- t = b / se; p from the normal (the fit is not small): 8 -> ***,
    -- -1 -> none, 0.5 -> none, 3 -> ***.
    "L1.SAGG,0.800***,0.010", ",(8.00),(0.50)", "L2.SAGG,-0.050,0.300***", ",(-1.00),(3.00)",
    "Year FE,Y,Y", "City FE,Y,Y",
    "First-stage F,40.500,4.500", ",[0.0000],[0.0111]", "Sanderson-Windmeijer F,38.250,3.900",
    ",[0.0000],[0.0485]", "First-stage partial R2,0.250,0.020", "N,3393,3393"}, "\r\n"), "csv")
  check.truthy(tab:render("text"):find("First stage: coefficients of the excluded instruments", 1, true), "note")
end)

test("a first-stage statistic of a fit with two endogenous regressors must name one", function()
  raises(function() T.new({fit_two_endog()}, {stats = {"first_F"}}) end,
         "model 1 has 2 endogenous regressors (SAGG, GOV): name one, as {'first_F', endog = 'SAGG'}")
  local tab = T.new({fit_two_endog()}, {keep = "SAGG", fe_rows = false, stats = {{"first_F", endog = "GOV"}}})
  check.truthy(csvbody(tab):find("First-stage F (GOV),4.500\r\n,[0.0111]", 1, true), csvbody(tab))
  raises(function() T.new({fit_total()}, {stage = 1}) end, "model 1 has no first stage")
end)

test("stage = 1 with small uses t with the first stage's residual df for the stars", function()
  local m = fit_two_endog()
  m.small = true
  m.first[1].F_df_r = 3
  m.first[1].coef["L1.SAGG"], m.first[1].se["L1.SAGG"] = 0.25, 0.1   -- t = 2.5: p = 0.088 with 3 df
  local tab = T.new({m}, {stage = 1, keep = "L1.SAGG", stats = {}, fe_rows = false})
  check.truthy(csvbody(tab):find("L1.SAGG,0.250*,", 1, true), csvbody(tab))
end)

test("stage = 1 of a real fit prints the estimator's first stage", function()
  if not rawget(_G, "tfp") then print("(no tfpkit: skipped)") return end
  local card = tfp.read_csv("refs/stata-ivreg2/card_data.csv")
  local r = tfp.ivreg(card, "lwage ~ exper | educ ~ nearc4 + nearc2", {vce = "robust"})
  local fs = r.first[1]
  local tab = T.new({r}, {stage = 1, stats = {"first_F", "sw_F", "first_pr2", "shea_pr2", "ap_F"}})
  local csv = csvbody(tab)
  check.truthy(csv:find("nearc4," .. string.format("%.3f", fs.coef.nearc4), 1, true), csv)
  check.truthy(csv:find(string.format("(%.2f)", fs.coef.nearc2 / fs.se.nearc2), 1, true), csv)
  check.truthy(csv:find("First-stage F," .. string.format("%.3f", fs.F), 1, true), csv)
  check.truthy(csv:find("Angrist-Pischke F," .. string.format("%.3f", fs.ap_F), 1, true), csv)
  check.truthy(csv:find("Shea partial R2," .. string.format("%.3f", fs.shea_pr2), 1, true), csv)
end)

test("the depvar row and group headers appear in text", function()
  local tab = T.new({fit_total(), fit_high(), fit_total()},
                    {depvar = true, keep = "STR", stats = {}, fe_rows = false,
                     stars = false, groups = {{"2SLS", 1}, {"IV-GMM estimates", 2}}})
  eq(tostring(tab), lines(
    "============================================",
    "                     2SLS   IV-GMM estimates",
    "                     (1)     (2)      (3)",
    "Dependent variable   TFP     TFP      TFP",
    "--------------------------------------------",
    "STR                 0.024   0.024    0.024",
    "                    (5.33)  (5.38)   (5.33)",
    "============================================",
    "t statistics in parentheses"), "text")
  eq(tab:render("csv"):match("^[^\r]*"), ",2SLS: (1),IV-GMM estimates: (2),IV-GMM estimates: (3)",
     "csv header")
end)

test("model labels default to (1), (2) and come from pairs or opts.labels", function()
  local m = {names = {"a"}, coef = {a = 1}}
  local head = function(tab) return tab:render("csv"):match("^[^\r]*") end
  eq(head(T.new({m, m}, BARE)), ",(1),(2)", "default")
  eq(head(T.new({m, {label = "East", m}}, BARE)), ",(1),East", "pair")
  eq(head(T.new({m, {label = "East", m}}, with{labels = {"A", "B"}})), ",A,B", "opts.labels")
end)

test("a collection of fits whose index refuses unknown keys is taken as a list", function()
  local fits = setmetatable({fit_total(), fit_high()}, {
    __index = function(_, k)
      if type(k) == "string" then error("no sample '" .. k .. "'") end
    end})
  local tab = T.new(fits, {keep = "STR", stats = {}, fe_rows = false})
  eq(csvbody(tab), ",(1),(2)\r\nSTR,0.024***,0.024*\r\n,(5.33),(5.38)", "csv")
end)

test("a fit's own label names its column unless a pair or opts.labels says otherwise", function()
  local m = fit_total(); m.label = "East"
  local head = function(tab) return tab:render("csv"):match("^[^\r]*") end
  eq(head(T.new({m, {label = 2010, m}}, BARE)), ",East,2010", "labels")
end)

---------------------------------------------------------------- bad input

test("bad models and options are errors that name what is wrong", function()
  local cases = {
    {function() T.new({}) end, "no models to tabulate"},
    {function() T.new("m") end, "expected a list of fitted models, got a string"},
    {function() T.new({{coef = {}}}) end, "model 1 has no 'names' list"},
    {function() T.new({fit_total(), 7}) end, "model 2 is a number"},
    {function()
       local m = fit_total(); m.coef.GOV = "-0.09"
       T.new({m})
     end, "model 1 coefficient 'GOV': coef is a string, expected a number"},
    {function()
       local m = fit_total(); m.p.STR = 1.5
       T.new({m})
     end, "model 1 coefficient 'STR': p = 1.5 is not a probability"},
    {function()
       local m = fit_high(); m.N = "3393"
       T.new({fit_total(), m})
     end, "model 2: N is a string, expected a number"},
    {function() T.new({fit_total()}, {stat = "p"}) end, "option 'stat': unknown value 'p'"},
    {function() T.new({fit_total()}, {stars = {0.1, 5}}) end, "opts.stars[2] must be a p level"},
    {function() T.new({fit_total()}, {digits = -1}) end, "opts.digits must be an integer"},
    {function() T.new({fit_total()}, {stats = {"rmsea"}}) end, "unknown statistic 'rmsea'"},
    {function() T.new({fit_total()}, {labels = {"a", "b"}}) end, "one label per model (1)"},
    {function() T.new({fit_total()}, {groups = {{"x", 2}}}) end, "span 2 columns, but there are 1 models"},
    {function() T.new({fit_total()}):render("docx") end, "unknown format 'docx'"},
  }
  for i, c in ipairs(cases) do
    local ok, err = pcall(raises, c[1], c[2])
    if not ok then error(string.format("case %d: %s", i, err), 0) end
  end
end)

test("errors are raised at the caller's line", function()
  local err = check.errors(function() T.new({fit_total()}, {stat = "p"}) end, "tfp.table:")
  check.truthy(err:find("test_table.lua:%d+: tfp.table: option 'stat'"), "position in " .. err)
  err = check.errors(function() T({fit_total()}, {stat = "p"}) end, "tfp.table:")
  check.truthy(err:find("test_table.lua:%d+: tfp.table: option 'stat'"), "position in " .. err)
end)

test("Hansen J of an exactly identified model prints blank", function()
  local m = fit_total()
  m.hansen_j, m.hansen_j_p, m.hansen_df = 0, 0 / 0, 0
  local tab = T.new({m, fit_total()}, {keep = "SAGG", fe_rows = false, stats = {"hansen_j"}})
  eq(csvbody(tab):match("Hansen J.*"), "Hansen J,,0.090\r\n,,[0.7644]", "csv")
end)

---------------------------------------------------------------- writing

local function readall(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function listdir(dir)
  local p = assert(io.popen("ls -A '" .. dir .. "'"))
  local names = {}
  for name in p:lines() do names[#names + 1] = name end
  p:close()
  table.sort(names)
  return table.concat(names, " ")
end

local function tempdir()
  local base = os.tmpname()
  os.remove(base)
  assert(os.execute("mkdir '" .. base .. "'"))
  return base
end

local function rmtree(dir)
  os.execute("rm -rf '" .. dir .. "'")
end

test("write picks the format from the extension and the file appears whole", function()
  local dir = tempdir()
  local tab = T.new({fit_total(), fit_high()}, {title = "Table 1", label = "tab:table"})
  for ext, format in pairs({txt = "text", md = "markdown", tex = "latex", csv = "csv", html = "html",
                            rtf = "rtf"}) do
    local path = dir .. "/table." .. ext
    eq(tab:write(path), path, "returned path")
    local term = format == "csv" and "\r\n" or "\n"
    eq(readall(path), tab:render(format) .. term, ext)
  end
  eq(listdir(dir), "table.csv table.html table.md table.rtf table.tex table.txt", "no temporary files left")
  rmtree(dir)
end)

test("write replaces an existing file and honours an explicit or default format", function()
  local dir = tempdir()
  local path = dir .. "/out.table"
  local f = assert(io.open(path, "wb")); f:write("old contents, much longer than the new ones\n"); f:close()
  local tab = T.new({fit_total()}, {keep = "SAGG", stats = {}, fe_rows = false, format = "csv"})
  tab:write(path)
  eq(readall(path), ",(1)\r\nSAGG,0.050**\r\n,(2.56)\r\n\r\nt statistics in parentheses\r\n"
     .. '"* p<0.10, ** p<0.05, *** p<0.01"\r\n', "opts.format")
  tab:write(path, "markdown")
  eq(readall(path), tab:render("markdown") .. "\n", "explicit format")
  eq(listdir(dir), "out.table", "no temporary files left")
  rmtree(dir)
end)

test("a LaTeX table written with a title is labelled by its file name unless label says", function()
  local dir = tempdir()
  local titled = T.new({fit_total()}, {title = "Table 1", keep = "SAGG"})
  titled:write(dir .. "/table1.tex")
  check.truthy(readall(dir .. "/table1.tex"):find("\\caption{Table 1}\n\\label{tab:table1}\n"), "label from the name")
  T.new({fit_total()}, {title = "Table 1", keep = "SAGG", label = "tab:mine"}):write(dir .. "/t.tex")
  check.truthy(readall(dir .. "/t.tex"):find("\\label{tab:mine}"), "label option")
  T.new({fit_total()}, {keep = "SAGG"}):write(dir .. "/bare.tex")
  check.truthy(not readall(dir .. "/bare.tex"):find("\\label"), "no float, no label")
  rmtree(dir)
end)

test("write into a missing directory errors naming the path and leaves nothing", function()
  local dir = tempdir()
  local path = dir .. "/missing/table.txt"
  raises(function() T.new({fit_total()}):write(path) end, "cannot write '" .. path .. "'")
  eq(listdir(dir), "", "nothing created")
  rmtree(dir)
end)

test("a failed rename leaves nothing new at path and removes the temporary file", function()
  local dir = tempdir()
  -- The target is a non-empty directory: the temporary file can be written
  -- beside it, but rename() over it must fail.
  local path = dir .. "/table.txt"
  assert(os.execute("mkdir '" .. path .. "' && touch '" .. path .. "/keep'"))
  raises(function() T.new({fit_total()}):write(path) end, "cannot write '" .. path .. "'")
  eq(listdir(dir), "table.txt", "temporary file removed")
  eq(listdir(path), "keep", "target untouched")
  rmtree(dir)
end)

test("write without a known extension or format errors naming the path", function()
  raises(function() T.new({fit_total()}):write("/tmp/table.out") end,
         "cannot tell the format of '/tmp/table.out'")
  raises(function() T.new({fit_total()}):write("/tmp/table.txt", "docx") end,
         "unknown format 'docx' for '/tmp/table.txt'")
end)

check.done()
