-- init.lua — completes the `tfp` table on the Lua side: help() and show(),
-- then the model layer and tables from their own modules.
-- luaopen_tfp calls the function this module returns with the table.
return function(tfp)

  local docs = {
    read_csv = "tfp.read_csv(path [, {sep=',', na={'', 'NA', '.'}, numeric={...}, string={...}}]) -> frame\n"
      .. "  RFC 4180 CSV with a header row; types inferred unless listed; errors name file:line.",
    read_dta = "tfp.read_dta(path) -> frame   Stata .dta (via ReadStat); variable labels kept (f:label(col)).",
    write_csv = "tfp.write_csv(frame, path)   atomic write (temporary file renamed into place).",
    data = "tfp.data([name='cities']) -> frame   a data set compiled into tfpkit (see data/README.md).",
    frame = "tfp.frame{name = values, ...} or tfp.frame{{'name', values}, ...} -> frame",
    vector = "tfp.vector{1, 2, nil, 4} -> vector   (nil = missing)",
    log = "tfp.log(x) -> vector   elementwise; an error names the first value <= 0 (also exp, sqrt, abs).",
    dea = "tfp.dea{data=f, inputs={...}, outputs={...}, rts='crs'|'vrs'|'nirs'|'ndrs', orientation='input'|'output'}\n"
      .. "  -> efficiency scores in DEAP 2.1's convention (1 = on the frontier).",
    malmquist = "tfp.malmquist{data=f, id='city', time='year', inputs={...}, outputs={...}, orientation='output'}\n"
      .. "  -> frame of effch techch pech sech tfpch and the levels TFP TECH EFF (first year = 1).",
    lq = "tfp.lq{data=f, sectors={...}, total='emp_total', by='year'} -> location quotient vector.",
    capital_stock = "tfp.capital_stock{data=f, id='city', time='year', investment='inv_real', delta=0.096,"
      .. " initial='growth'|column} -> capital stock by perpetual inventory.",
    deflate = "tfp.deflate(values, index, {base=2003, id=..., time=..., data=f, chained=true}) -> real values\n"
      .. "  (chained: previous year = 100; chained=false: fixed base year = 100).",
    group_mean = "tfp.group_mean(x, by [, f]) -> each row's mean of x over the rows sharing its value of by.",
    regions = "tfp.regions: region(province) -> 'East'|'Central'|'West', classify(vector), provinces.",
    ivreg = "tfp.ivreg(f, 'y ~ x1 + x2 | city + year | endog ~ L1.endog + L2.endog', opts) -> fit, like xtivreg2, fe\n"
      .. "  opts: method='2sls'|'gmm', vce='unadjusted'|'robust'|{cluster='city'}, small=false,\n"
      .. "  split='region' (one fit per value) or fsplit (plus the full sample), endog={names} for the C test,\n"
      .. "  absorb_all=true: every FE absorbed by alternating projections (large data) instead of\n"
      .. "  dummies for the second and later FE. Terms: L.x L2.x F.x D.x log(x) a:b a*b ..set sw() csw().",
    model = "tfp.model(formula, opts) -> model: m:on(f), m:update('. ~ . - x + z'), m:with{vce='robust'}.",
    controls = "tfp.controls{name = 'x1 + x2', ...}: control sets used in formulas as ..name.",
    table = "tfp.table{fit1, fit2, ...} -> publication table; :render('text'|'markdown'|'latex'|'csv'), :write(path).",
    show = "tfp.show(...)   print values readably (the REPL uses it).",
  }

  local methods = {
    frame = "frame methods: nrow ncol names types label head filter where select copy panel lag write_csv;\n"
      .. "  f.col reads a column (a vector), f.new = vector/table/number adds one, f.col = nil drops it.",
    vector = "vector methods: sum mean min max sd count (missing skipped), eq ne lt le gt ge (0/1 masks), totable;\n"
      .. "  arithmetic + - * / ^ and unary minus, elementwise; v[i] is nil where missing.",
  }

  --- help(x): a short doc for a tfp function, a frame or vector, or tfp itself.
  function tfp.help(x)
    if x == nil or x == tfp then
      local names = {}
      for k, v in pairs(tfp) do
        if type(v) == "function" and k:sub(1, 1) ~= "_" then names[#names + 1] = k end
      end
      table.sort(names)
      print("tfp functions (help(tfp.name) for one):\n  " .. table.concat(names, " "))
      print("at the prompt: traceback() prints the full traceback of the last error; exit or quit leaves.")
      return
    end
    if x == rawget(_G, "traceback") then
      print("traceback()   the full traceback of the last error, tfpkit's own frames included\n"
        .. "  (an error message shows only your frames).")
      return
    end
    for k, v in pairs(tfp) do
      if v == x and docs[k] then print(docs[k]) return end
    end
    local mt = getmetatable(x)
    local kind = type(mt) == "table" and mt.__name
    if kind == "tfp.frame" then print(methods.frame) return end
    if kind == "tfp.vector" then print(methods.vector) return end
    if type(x) == "table" and x.help then print(x.help) return end
    print("no help for this " .. type(x))
  end

  -- A readable rendering of plain tables: keys sorted, nested tables to depth 2.
  local function render(v, depth, seen)
    if type(v) == "string" then return string.format("%q", v) end
    if type(v) ~= "table" or (getmetatable(v) and getmetatable(v).__tostring) then return tostring(v) end
    if seen[v] or depth > 2 then return "{...}" end
    seen[v] = true
    local keys, parts = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
      return type(a) < type(b)
    end)
    local n = #v
    for _, k in ipairs(keys) do
      local item = render(v[k], depth + 1, seen)
      if math.type(k) == "integer" and k >= 1 and k <= n then parts[#parts + 1] = item
      else
        local key = type(k) == "string" and k:match("^[%a_][%w_]*$") and k or "[" .. render(k, 3, seen) .. "]"
        parts[#parts + 1] = key .. " = " .. item
      end
      if #parts > 50 then parts[#parts + 1] = "..." break end
    end
    seen[v] = nil
    local flat = "{" .. table.concat(parts, ", ") .. "}"
    if #flat <= 100 then return flat end
    local pad = string.rep("  ", depth + 1)
    return "{\n" .. pad .. table.concat(parts, ",\n" .. pad) .. "\n" .. string.rep("  ", depth) .. "}"
  end

  --- tfp.show(...): print values readably, tab-separated as print() does.
  function tfp.show(...)
    local out = {}
    for i = 1, select("#", ...) do
      local v = (select(i, ...))
      out[i] = type(v) == "string" and v or render(v, 0, {})
    end
    print(table.concat(out, "\t"))
  end

  tfp.regions = require "tfp.regions"
  for _, name in ipairs({"model", "table"}) do
    local ok, mod = pcall(require, "tfp." .. name)
    if ok then mod.install(tfp)
    elseif not tostring(mod):find("module 'tfp." .. name .. "' not found", 1, true) then
      error(mod, 0)
    end
  end
end
