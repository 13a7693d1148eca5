-- init.lua — completes the `tfp` table on the Lua side: help() and show(),
-- then the model layer and tables from their own modules.
-- luaopen_tfp calls the function this module returns with the table.
local O = require "tfp.options"

return function(tfp)

  local docs = {
    write_csv = "tfp.write_csv(frame, path), f:write_csv(path)   atomic write (a temporary file renamed into place;\n"
      .. "  a link is written through to its target, a file keeps its mode, a FIFO or device is refused).",
    frame = "tfp.frame{name = values, ...} or tfp.frame{{'name', values}, ...} -> frame",
    vector = "tfp.vector{1, 2, nil, 4} -> vector   (nil = missing)",
    log = "tfp.log(x) -> vector   elementwise; an error names the first value <= 0 (also exp, sqrt, abs).",
    group_mean = "tfp.group_mean(x, by [, f]) -> each row's mean of x over the rows sharing its value of by.",
    regions = "tfp.regions: region(province) -> 'East'|'Central'|'West', classify(vector), provinces.",
    show = "tfp.show(...)   print values readably (the REPL uses it).",
  }

  local methods = {
    frame = "frame methods: nrow ncol names types has label head filter where select copy panel lag merge collapse\n"
      .. "  write_csv;\n"
      .. "  f.col reads a column (a vector; an unknown name is an error), f:has('col') tests for one,\n"
      .. "  f.new = vector/table/number adds one, f.col = nil drops it.\n"
      .. "  f:panel(id, time) declares the panel; f:panel() describes it (units, periods, balance, gaps).",
    vector = "vector methods: sum mean min max sd count (missing skipped), eq ne lt le gt ge (0/1 masks), totable;\n"
      .. "  arithmetic + - * / ^ and unary minus, elementwise; v[i] is nil where missing.\n"
      .. "  Comparisons are methods: f.year:gt(2010), not f.year > 2010 (Lua's < and == cannot give a vector).",
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
    local name = O.name_of(x)
    if name then print(O.help(name)) return end
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

  --- tfp.show(...): print values readably, tab-separated as print() does;
  -- a string as it is but for control characters (a cell's escape sequence
  -- is shown as \x1b, not sent to the terminal).
  function tfp.show(...)
    local out = {}
    for i = 1, select("#", ...) do
      local v = (select(i, ...))
      out[i] = type(v) == "string" and tfp._visible(v, true) or render(v, 0, {})
    end
    print(table.concat(out, "\t"))
  end

  tfp.regions = require "tfp.regions"
  local model = require "tfp.model"
  model.install(tfp)
  require("tfp.table").install(tfp)
  require("tfp.summary").install(tfp)
  require("tfp.plot").install(tfp)
  require("tfp.verbs").install(tfp)
  require("tfp.prep").install(tfp)
  require("tfp.curve").install(tfp)
  O.install(tfp)
  O.bind(model.Model.with, "m:with")
end
