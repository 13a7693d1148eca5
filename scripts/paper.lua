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
local cli = require "tfp.cli"
local function usage(msg) cli.usage("scripts/paper.lua", msg) end
local opts = cli.parse(arg, "scripts/paper.lua", {
  values = {"data", "map", "out", "na", "lq-missing"}, flags = {"map-template"}, defaults = {out = "out"},
  expected = "--data FILE, --map FILE.lua, --out DIR, --na CODES, --lq-missing row|unit, --map-template"})
if opts.map_template then
  io.write(study.template())
  return
end
local map = cli.map(opts, "scripts/paper.lua")
local na = cli.na(opts.na)
if opts.lq_missing and opts.lq_missing ~= "row" and opts.lq_missing ~= "unit" then
  usage("--lq-missing takes row or unit, got '" .. opts.lq_missing .. "'")
end

local step = cli.stepper(clock)

-- The figure's legend: checked now, before the long run (no string reaches
-- gnuplot unquoted, and one with a control character cannot be quoted).
local plot = require "tfp.plot"
for _, r in ipairs(spec.regions) do plot.quote(tostring(r), "region name", "paper.lua") end

--------------------------------------------------------------- the data
local f = cli.read(opts, na)
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

-- The descriptive table (every city-year with the variable) and the correlations
-- of the regression variables, written in every format.
local FORMATS = {"txt", "md", "tex", "csv", "html", "rtf"}
local function write_all(tab, name)
  for _, ext in ipairs(FORMATS) do tab:write(opts.out .. "/" .. name .. "." .. ext) end
end
local summary_vars = {"TFP", "TE", "EC", "SAGG", "SAGG_H", "SAGG_L", "STR", "GOV", "PGDP", "FDI", "H", "ROAD", "POP"}
local summary = tfp.summary(f, summary_vars, {title = "Descriptive statistics",
  notes = "All city-years with the variable; TFP, TE and EC are Malmquist levels (first year = 1)."})
print(summary)
print()
write_all(summary, "summary")
write_all(tfp.correlate(f, summary_vars, {title = "Correlations", stars = {0.10, 0.05, 0.01}, size = "footnotesize",
  resize = true}), "correlations")
step("summary and correlations written to " .. opts.out .. "/summary.* and correlations.*")

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
                                 rename = spec.rename, order = spec.rows, stat = "t", size = "footnotesize",
                                 landscape = true})
  print(tab)
  print()
  write_all(tab, t.name)
  -- Its first stages: the lags of each SAGG measure on one row per lag.
  local first = tfp.table(models, {title = t.title .. ": first stages", labels = labels, groups = t.groups,
                                   rename = spec.rename_first, order = {"L%..*", "L2%..*"}, stage = 1,
                                   size = "footnotesize", landscape = true})
  write_all(first, t.name .. "_first")
end
step("tables (and their first stages) written to " .. opts.out .. "/")

----------------------------------------------------------------- figures
-- Mean TFP, TE and EC levels by region and year, and the SAGG_H coefficient
-- with its 95% CI nationally and by region (IV-GMM, equation (2)), drawn by
-- gnuplot through lua/plot.lua: data inline in the .gp script, every string
-- quoted, the image read from gnuplot's stdout and written atomically.
do
  local levels = {}
  for k, v in ipairs({"TFP", "TE", "EC"}) do levels[k] = v .. " level (mean by region, first year = 1)" end
  tfp.levelsplot(f, {vars = {"TFP", "TE", "EC"}, by = "region", time = "year", order = spec.regions,
                     titles = levels, out = opts.out .. "/levels_by_region"})
  local k_high
  for k, s in ipairs(spec.sagg) do if s.var == "SAGG_H" then k_high = k end end
  local by_region, labels = {fit{method = "gmm", dep = "TFP", sagg = k_high}}, {"National"}
  local present = {}
  for _, r in ipairs(f.region:totable()) do present[r] = true end
  for _, r in ipairs(spec.regions) do
    if present[r] then
      by_region[#by_region + 1] = fit{method = "gmm", dep = "TFP", sagg = k_high, region = r}
      labels[#labels + 1] = r
    end
  end
  tfp.coefplot(by_region, {keep = "SAGG_H", labels = labels, out = opts.out .. "/coef_SAGG_H_by_region",
                           title = "SAGG_H on TFP (IV-GMM), nationally and by region", ylabel = "coefficient of SAGG_H"})
  step("figures: " .. opts.out .. "/levels_by_region.png, coef_SAGG_H_by_region.png (and .svg)")
end
step(string.format("done in %.2f s of CPU", os.clock() - clock))

-- tfpkit -i scripts/paper.lua: the study's objects stay at the prompt.
_G.f, _G.mq, _G.fits, _G.report, _G.spec = f, mq, fits, report, spec
