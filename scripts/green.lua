-- scripts/green.lua — green TFP (see models/green.lua): the study's variables
-- (lua/study.lua), the global Malmquist-Luenberger index with a bad output
-- chained into GTFP, GEC and GBPC levels, its decomposition by region, and
-- equation (2) with GTFP as the dependent variable, nationally and by region
-- (IV-GMM, city and year effects, SAGG instrumented by its two lags).
-- Tables to out/: green_table1.* (txt md tex csv html rtf) and
-- green_decomposition.* (txt md csv).
--
--   tfpkit scripts/green.lua [--data panel.csv] [--bad COLUMN] [--map my_columns.lua]
--       [--out DIR] [--na "-,n/a"]
-- (no --data: the embedded panel, whose bad output is so2)
--
-- The bad output's column is models/green.lua's bad_output unless --bad names
-- it. With tfpkit -i, the frame f and the index frame gml stay at the prompt.
local clock = os.clock()
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local spec = dofile(here .. "/../models/green.lua")
local study = require "tfp.study"

local cli = require "tfp.cli"
local function usage(msg) cli.usage("scripts/green.lua", msg) end
local opts = cli.parse(arg, "scripts/green.lua", {
  values = {"data", "map", "out", "na", "bad"}, defaults = {out = "out"},
  expected = "--data FILE, --bad COLUMN, --map FILE.lua, --out DIR, --na CODES"})
local step = cli.stepper(clock)
local map = cli.map(opts, "scripts/green.lua")
local na = cli.na(opts.na)
local bad = opts.bad or spec.bad_output

local f = cli.read(opts, na)
if not f:has(bad) then
  usage(string.format("the data have no bad-output column '%s' (models/green.lua's bad_output; --bad COLUMN "
    .. "names another)", bad))
end
f = study.build(f, map, opts.data or "embedded data", {na = na})
local city, year, region = (map and map.city) or "city", (map and map.year) or "year", (map and map.region) or "region"
step(string.format("variables: %d unit-years", f:nrow()))

-------------------------------------------------- the GML index and levels
-- On the unit-years with positive K, L, Y and bad output.
local mask = {}
local K, L, Y, Bv = f.K, f.L, f.Y, f[bad]
for i = 1, f:nrow() do
  mask[i] = (K[i] and K[i] > 0 and L[i] and L[i] > 0 and Y[i] and Y[i] > 0 and Bv[i] and Bv[i] > 0) and 1 or 0
end
local sub = f:filter(tfp.vector(mask, f:nrow()))
local gml, info = tfp.malmquist{data = sub, id = city, time = year, inputs = {"K", "L"}, outputs = "Y",
  bad_outputs = bad, index = spec.index, rts = spec.rts}
local comp = {gml = {"gml", "ec", "bpc"}, ml = {"ml", "mleffch", "mltech"}, luenberger = {"l", "leffch", "ltech"}}
comp = comp[spec.index]
f = f:merge(tfp.frame{{city, gml[city]}, {year, gml[year]}, {"GTFP", gml.TFP}, {"GEC", gml.EFF},
  {"GBPC", gml.TECH}, {comp[1], gml[comp[1]]}, {comp[2], gml[comp[2]]}, {comp[3], gml[comp[3]]}},
  {on = {city, year}, how = "left"})
f:panel(city, year)
step(string.format("%s index: %d unit-years, %d changes, %d LPs (%d infeasible)", spec.index, sub:nrow(),
  info.n_changes, info.n_lp, info.n_infeasible))

---------------------------------------- decomposition by region (geometric means)
local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
if not os.execute("mkdir -p -- " .. shell_quote(opts.out)) then
  tfp._raise("io", "green.lua", string.format("cannot create the output directory '%s'", opts.out))
end
local additive = spec.index == "luenberger"
local function mean_of(vals)
  local s, n = 0, 0
  for _, v in ipairs(vals) do
    if v == v and (additive or v > 0) then s = s + (additive and v or math.log(v)); n = n + 1 end
  end
  if n == 0 then return 0 / 0, 0 end
  return additive and s / n or math.exp(s / n), n
end
local rows = {}
local groups = {"All"}
for _, r in ipairs(spec.regions) do groups[#groups + 1] = r end
local reg = f[region]
for _, g in ipairs(groups) do
  local cols = {{}, {}, {}}
  local n = 0
  for i = 1, f:nrow() do
    if (g == "All" or reg[i] == g) and f[comp[1]][i] ~= nil then
      n = n + 1
      for k = 1, 3 do cols[k][#cols[k] + 1] = f[comp[k]][i] end
    end
  end
  local m = {}
  for k = 1, 3 do m[k] = mean_of(cols[k]) end
  rows[#rows + 1] = {g, n, m[1], m[2], m[3]}
end
local head = {"Region", "N", comp[1], comp[2], comp[3]}
local title = string.format("%s decomposition by region (%s means of the annual changes; %s = %s x %s)",
  spec.index:upper(), additive and "arithmetic" or "geometric", comp[1], comp[2], comp[3])
local function fmt(v)
  if type(v) ~= "number" then return v end
  return math.type(v) == "integer" and tostring(v) or string.format("%.4f", v)
end
do
  local txt, csv = {title, ""}, {table.concat(head, ",")}
  local md = {"**" .. title .. "**", "", "| " .. table.concat(head, " | ") .. " |", "|---|---:|---:|---:|---:|"}
  txt[#txt + 1] = string.format("%-10s %6s %10s %10s %10s", table.unpack(head))
  for _, r in ipairs(rows) do
    txt[#txt + 1] = string.format("%-10s %6s %10s %10s %10s", fmt(r[1]), fmt(r[2]), fmt(r[3]), fmt(r[4]), fmt(r[5]))
    md[#md + 1] = "| " .. table.concat({fmt(r[1]), fmt(r[2]), fmt(r[3]), fmt(r[4]), fmt(r[5])}, " | ") .. " |"
    csv[#csv + 1] = table.concat({r[1], r[2], string.format("%.10g", r[3]), string.format("%.10g", r[4]),
      string.format("%.10g", r[5])}, ",")
  end
  print(table.concat(txt, "\n"))
  print()
  for ext, lines in pairs({txt = txt, md = md, csv = csv}) do
    tfp._write_file(opts.out .. "/green_decomposition." .. ext, table.concat(lines, "\n") .. "\n")
  end
end

----------------------------------------------------- equation (2), GTFP
tfp.controls(spec.controls)
local models, labels = {}, {}
for k, col in ipairs(spec.table.columns) do
  local data = col.region and f:where{[region] = col.region} or f
  models[k] = tfp.ivreg(data, spec.formula(col.dep, col.sagg), {method = spec.method, vce = spec.vce})
  labels[k] = col.label
end
local tab = tfp.table(models, {title = spec.table.title, labels = labels, groups = spec.table.groups,
  keep = spec.rows, rename = spec.rename, order = spec.rows, stat = "t", size = "footnotesize", landscape = true,
  notes = string.format("Dependent variable: GTFP, the chained %s index (first year = 1), inputs K and L, "
    .. "good output real GDP, bad output %s.", spec.index:upper(), bad)})
print(tab)
for _, ext in ipairs({"txt", "md", "tex", "csv", "html", "rtf"}) do
  tab:write(opts.out .. "/" .. spec.table.name .. "." .. ext)
end
step("tables written to " .. opts.out .. "/" .. spec.table.name .. ".* and green_decomposition.*")

_G.f, _G.gml, _G.spec = f, gml, spec
