-- scripts/paper.lua — the whole study in one run (see ../shared/paper and
-- models/paper.lua): build the variables, capital stock, DEA-Malmquist TFP
-- with its TE and EC levels, location quotients, endogeneity tests, then
-- Tables 1-3 and a figure, printed and written to out/.
--
--   tfpkit scripts/paper.lua                       -- the embedded panel
--   tfpkit scripts/paper.lua --map-template > my_columns.lua
--   tfpkit scripts/paper.lua --data my.csv --map my_columns.lua [--out DIR]
--       [--na "-,n/a"] [--lq-missing row|unit]
--
-- --map names a Lua file returning {role = "your column", ...} for the roles
-- in lua/study.lua's `roles` (--map-template prints one); --data takes .csv
-- or .dta; --na adds missing-value codes to "", "NA" and ".". The sample
-- report (what an unbalanced panel lost, by unit and year) is printed and
-- written to DIR/sample.txt. With tfpkit -i, the frame f, the Malmquist
-- frame mq, the fits and the report stay as globals.
local clock = os.clock()
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local spec = dofile(here .. "/../models/paper.lua")

local study = require "tfp.study"

-------------------------------------------------------------- arguments
local function usage(msg) tfp._raise("usage", "scripts/paper.lua", msg) end
local opts = {out = "out"}
do
  local i = 1
  while arg and arg[i] do
    local a = arg[i]
    if a == "--data" or a == "--map" or a == "--out" or a == "--na" or a == "--lq-missing" then
      opts[a:sub(3):gsub("-", "_")] = arg[i + 1] or usage(a .. " needs a value")
      i = i + 2
    elseif a == "--map-template" then
      io.write(study.template())
      return
    else
      usage("unknown argument '" .. a .. "' (expected --data FILE, --map FILE.lua, --out DIR, --na CODES, "
        .. "--lq-missing row|unit, --map-template)")
    end
  end
end
local map = opts.map and dofile(opts.map) or nil
if opts.map and type(map) ~= "table" then
  usage(opts.map .. " must return a table {role = \"your column\", ...} (--map-template prints one)")
end
local na
if opts.na then
  na = {"", "NA", "."}
  for code in (opts.na .. ","):gmatch("([^,]*),") do na[#na + 1] = code end
end
if opts.lq_missing and opts.lq_missing ~= "row" and opts.lq_missing ~= "unit" then
  usage("--lq-missing takes row or unit, got '" .. opts.lq_missing .. "'")
end

local function step(what) io.stderr:write(string.format("[%5.2fs] %s\n", os.clock() - clock, what)) end

-- A string in gnuplot's single-quoted syntax, where nothing is expanded (no
-- backslash escapes, no `command`, no @macro) and '' is a quote. A control
-- character (a newline ends a gnuplot command) cannot be quoted: refused.
local function gp_quote(s, what)
  if s:find("%c") then
    local shown = string.format("%q", s):gsub("\\\n", "\\n")
    tfp._raise("usage", "paper.lua", string.format("%s %s contains a control character, which cannot be "
      .. "passed to gnuplot", what, shown))
  end
  return "'" .. s:gsub("'", "''") .. "'"
end

-- The figure's legend: checked now, before the long run.
local region_q = {}
for j, r in ipairs(spec.regions) do region_q[j] = gp_quote(tostring(r), "region name") end

--------------------------------------------------------------- the data
local f
if not opts.data then f = tfp.data("cities")
elseif opts.data:match("%.dta$") then f = tfp.read_dta(opts.data)
else f = tfp.read_csv(opts.data, {na = na}) end
step(string.format("data: %d rows, %d columns", f:nrow(), f:ncol()))
local mq, report
f, mq, report = study.build(f, map, opts.data or "embedded data", {na = na, lq_missing = opts.lq_missing})
step(string.format("variables, capital stock, location quotients, Malmquist (%d unit-years)", mq:nrow()))
-- A string for the shell, in single quotes ('\'' for a quote).
local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
if not os.execute("mkdir -p -- " .. shell_quote(opts.out)) then
  tfp._raise("io", "paper.lua", string.format("cannot create the output directory '%s'", opts.out))
end
report:regressions(f, {"TFP", "TE", "EC", "SAGG", "SAGG_H", "SAGG_L", "STR", "GOV", "PGDP", "FDI", "H", "ROAD", "POP"},
  {"SAGG", "SAGG_H", "SAGG_L"})
io.write(report:text(), "\n")
report:write(opts.out .. "/sample.txt")
step("sample report written to " .. opts.out .. "/sample.txt")

------------------------------------------------------------------ models
tfp.controls(spec.controls)
local fits = {}
local function fit(col)
  local key = table.concat({col.method, col.dep, col.sagg, col.region or "all"}, "/")
  if not fits[key] then
    local data = col.region and f:where{region = col.region} or f
    fits[key] = tfp.ivreg(data, spec.formula(col.dep, spec.sagg[col.sagg].var), {method = col.method, vce = spec.vce})
  end
  return fits[key]
end

-- Endogeneity of SAGG (why IV): Durbin-Wu-Hausman (C statistic) and
-- Davidson-MacKinnon, for each agglomeration measure in equation (2).
print("Endogeneity tests of SAGG in equation (2) (H0: SAGG exogenous)")
print(string.format("%-14s %24s %24s", "", "Durbin-Wu-Hausman chi2 [p]", "Davidson-MacKinnon [p]"))
for k, s in ipairs(spec.sagg) do
  local r = fit{method = "2sls", dep = "TFP", sagg = k}
  print(string.format("%-14s %16.3f [%.4f] %16.3f [%.4f]", s.label, r.endog, r.endog_p, r.dm, r.dm_p))
end
print()

for _, t in ipairs(spec.tables) do
  local models, labels = {}, {}
  for i, col in ipairs(t.columns) do
    models[i] = fit(col)
    labels[i] = spec.sagg[col.sagg].label
  end
  local tab = tfp.table(models, {title = t.title, labels = labels, groups = t.groups, keep = spec.rows,
                                 rename = spec.rename, order = spec.rows, stat = "t"})
  print(tab)
  print()
  for _, ext in ipairs({"txt", "md", "tex", "csv"}) do tab:write(opts.out .. "/" .. t.name .. "." .. ext) end
end
step("tables written to " .. opts.out .. "/")

------------------------------------------------------------------ figure
-- Mean TFP, TE and EC levels by region and year, drawn by gnuplot. No path
-- reaches gnuplot: it reads its script (levels_by_region.gp, with the data
-- inline) and writes the image to its stdout, which goes to the file through
-- tfp._write_file (atomic). The strings it does see (region names, titles)
-- are quoted by gp_quote.

do
  local VARS = {"TFP", "TE", "EC"}
  local means = f:collapse{by = {"region", "year"}, mean = VARS}
  local sum, n, years, seen = {}, {}, {}, {}
  local reg, yr = means.region, means.year
  for _, v in ipairs(VARS) do
    local x = means[v]
    for i = 1, means:nrow() do
      if x[i] then
        local key = v .. "|" .. reg[i] .. "|" .. yr[i]
        sum[key], n[key] = x[i], 1
        if not seen[yr[i]] then seen[yr[i]] = true; years[#years + 1] = yr[i] end
      end
    end
  end
  table.sort(years)
  local rows = {}   -- year, then each variable by region: numbers only
  for _, y in ipairs(years) do
    local row = {string.format("%d", y)}
    for _, v in ipairs(VARS) do
      for _, r in ipairs(spec.regions) do
        local key = v .. "|" .. r .. "|" .. y
        row[#row + 1] = string.format("%.6f", n[key] and sum[key] / n[key] or 0 / 0)
      end
    end
    rows[#rows + 1] = table.concat(row, " ")
  end
  local header = {"# year"}
  for _, v in ipairs(VARS) do
    for _, r in ipairs(spec.regions) do header[#header + 1] = v .. "_" .. r end
  end
  tfp._write_file(opts.out .. "/levels_by_region.dat",
                  table.concat(header, " ") .. "\n" .. table.concat(rows, "\n") .. "\n", "paper.lua")

  local plot = {}
  for k, v in ipairs(VARS) do
    local lines = {}
    for j in ipairs(spec.regions) do
      lines[j] = string.format("$levels using 1:%d with linespoints title %s", 1 + (k - 1) * #spec.regions + j,
                               region_q[j])
    end
    plot[k] = string.format("set title %s\nplot %s",
                            gp_quote(v .. " level (mean by region, first year = 1)", "title"), table.concat(lines, ", "))
  end
  local script_path = opts.out .. "/levels_by_region.gp"
  tfp._write_file(script_path, "# gnuplot -e 'set terminal pngcairo size 1500,450' levels_by_region.gp > figure.png\n"
    .. "$levels << EOD\n" .. table.concat(rows, "\n") .. "\nEOD\n"
    .. "set termoption noenhanced\nset key left top\nset grid\nset xlabel 'year'\nset multiplot layout 1,3\n"
    .. table.concat(plot, "\n") .. "\nunset multiplot\n", "paper.lua")
  -- A relative path is given as ./path, so that a name like "-x" is no option.
  local script_arg = shell_quote(script_path:sub(1, 1) == "/" and script_path or "./" .. script_path)
  for _, term in ipairs({{"pngcairo size 1500,450", "png"}, {"svg size 1500,450", "svg"}}) do
    local path = opts.out .. "/levels_by_region." .. term[2]
    local gp = io.popen("gnuplot -e " .. shell_quote("set terminal " .. term[1]) .. " " .. script_arg, "r")
    local image = gp and gp:read("a")
    local ok, _, code = (gp or {close = function() return nil, "exit", 127 end}):close()
    if code == 127 then
      tfp._raise("io", "paper.lua", "cannot run gnuplot (install the Debian package gnuplot-nox)")
    end
    if not ok or not image or #image == 0 then
      tfp._raise("io", "paper.lua", string.format("gnuplot failed to draw '%s' (its messages are above)", path))
    end
    tfp._write_file(path, image, "paper.lua")
  end
  step("figure: " .. opts.out .. "/levels_by_region.png (and .svg)")
end
step(string.format("done in %.2f s of CPU", os.clock() - clock))

-- tfpkit -i scripts/paper.lua: the study's objects stay at the prompt.
_G.f, _G.mq, _G.fits, _G.report, _G.spec = f, mq, fits, report, spec
