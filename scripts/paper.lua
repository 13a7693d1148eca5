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

--------------------------------------------------------------- the data
local f
if not opts.data then f = tfp.data("cities")
elseif opts.data:match("%.dta$") then f = tfp.read_dta(opts.data)
else f = tfp.read_csv(opts.data, {na = na}) end
step(string.format("data: %d rows, %d columns", f:nrow(), f:ncol()))
local mq, report
f, mq, report = study.build(f, map, opts.data or "embedded data", {na = na, lq_missing = opts.lq_missing})
step(string.format("variables, capital stock, location quotients, Malmquist (%d unit-years)", mq:nrow()))
os.execute("mkdir -p '" .. opts.out:gsub("'", "'\\''") .. "'")
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
-- Mean TFP, TE and EC levels by region and year, drawn by gnuplot.
do
  local means = f:collapse{by = {"region", "year"}, mean = {"TFP", "TE", "EC"}}
  local sum, n, years, seen = {}, {}, {}, {}
  local reg, yr = means.region, means.year
  for _, v in ipairs({"TFP", "TE", "EC"}) do
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
  local dat = opts.out .. "/levels_by_region.dat"
  local fh = assert(io.open(dat .. ".tmp", "w"))
  fh:write("# year")
  for _, v in ipairs({"TFP", "TE", "EC"}) do
    for _, r in ipairs(spec.regions) do fh:write(" ", v, "_", r) end
  end
  fh:write("\n")
  for _, y in ipairs(years) do
    fh:write(string.format("%d", y))
    for _, v in ipairs({"TFP", "TE", "EC"}) do
      for _, r in ipairs(spec.regions) do
        local key = v .. "|" .. r .. "|" .. y
        fh:write(string.format(" %.6f", n[key] and sum[key] / n[key] or 0 / 0))
      end
    end
    fh:write("\n")
  end
  fh:close()
  assert(os.rename(dat .. ".tmp", dat))
  local plot = {}
  for k, v in ipairs({"TFP", "TE", "EC"}) do
    local lines = {}
    for j, r in ipairs(spec.regions) do
      lines[j] = string.format("'%s' using 1:%d with linespoints title '%s'", dat, 1 + (k - 1) * #spec.regions + j, r)
    end
    plot[k] = string.format("set title '%s level (mean by region, first year = 1)'\nplot %s", v, table.concat(lines, ", "))
  end
  local body = "set key left top\nset grid\nset xlabel 'year'\nset multiplot layout 1,3\n" ..
    table.concat(plot, "\n") .. "\nunset multiplot\n"
  -- Drawn to a temporary file and renamed: a failed run leaves no half figure.
  for _, term in ipairs({{"pngcairo size 1500,450", "png"}, {"svg size 1500,450", "svg"}}) do
    local path = opts.out .. "/levels_by_region." .. term[2]
    local gp = io.popen("gnuplot", "w")
    if not gp then error("cannot run gnuplot (install the Debian package gnuplot-nox)", 0) end
    gp:write("set terminal ", term[1], "\nset output '", path, ".tmp'\n", body, "set output\n")
    local ok = gp:close()
    if not ok then error("gnuplot failed to draw " .. path, 0) end
    assert(os.rename(path .. ".tmp", path))
  end
  step("figure: " .. opts.out .. "/levels_by_region.png (and .svg)")
end
step(string.format("done in %.2f s of CPU", os.clock() - clock))

-- tfpkit -i scripts/paper.lua: the study's objects stay at the prompt.
_G.f, _G.mq, _G.fits, _G.report, _G.spec = f, mq, fits, report, spec
