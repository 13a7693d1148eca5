-- formula.lua — fixest-style model formulas compiled to plain Lua tables.
--
--   "y ~ x1 + log(x2) + x1:x3 | city + year | endog ~ L1.z + L2.z"
--
-- Parts are separated by top-level '|': the first is "depvar ~ regressors",
-- the part holding '~' is the IV part "endogenous ~ excluded instruments",
-- any other part lists fixed effects. Terms: names, lags and differences
-- (L.x, L2.x, F.x, D.x, D2.x), log/exp/sqrt(term), products a:b, and a*b
-- (= a + b + a:b). `..name` expands a control set registered with
-- tfp.controls; sw(a, b) and csw(a, b) (also sw0/csw0) fit several models.
-- Errors point at the column of the formula where the problem is.
local M = {}

local FUNCTIONS = {log = true, exp = true, sqrt = true}
local MULTI = {sw = true, csw = true, sw0 = true, csw0 = true}

-- An error that shows the formula with a caret under column pos. Inside
-- tfpkit it is a usage tfp.error (M.raise = tfp._raise, set by the model
-- layer); loaded alone (the fuzzer) it is a plain string.
local function formula_error(text, pos, msg)
  local line = "formula error: " .. msg
  if text and pos then
    line = line .. "\n  " .. text .. "\n  " .. string.rep(" ", pos - 1) .. "^"
  end
  if M.raise then M.raise("usage", nil, line) end
  error(line, 0)
end
M.error = formula_error

-------------------------------------------------------------------- lexer

-- Tokens of text; positions (and error carets) are columns of `full`, in
-- which text starts at column `at`.
local function tokenise(text, at, full)
  at, full = at or 1, full or text
  local function fail(i, msg) formula_error(full, i + at - 1, msg) end
  local toks, i, n = {}, 1, #text
  while i <= n do
    local c = text:sub(i, i)
    if c:match("%s") then
      i = i + 1
    elseif text:sub(i, i + 1) == ".." then
      local name = text:match("^[%a_][%w_]*", i + 2)
      if not name then fail(i, "'..' must be followed by a control set name") end
      toks[#toks + 1] = {t = "macro", v = name, pos = i}
      i = i + 2 + #name
    elseif c:match("[%a_]") then
      local word = text:match("^[%a_][%w_]*", i)
      -- L1.x, F.x, D2.x: a time-series operator glued to its variable
      local op = text:match("^[LFD]%d*%.[%a_]", i) and text:match("^[LFD]%d*%.", i)
      if op and word == op:sub(1, -2) then
        toks[#toks + 1] = {t = "tsop", v = op:sub(1, -2), pos = i}
        i = i + #op
      else
        toks[#toks + 1] = {t = "name", v = word, pos = i}
        i = i + #word
      end
    elseif c:match("%d") then
      local num = text:match("^%d+%.?%d*", i)
      toks[#toks + 1] = {t = "number", v = tonumber(num), pos = i}
      i = i + #num
    elseif c:match("[~+%-*:(),|.^]") then
      toks[#toks + 1] = {t = c, pos = i}
      i = i + 1
    else
      fail(i, "unexpected character '" .. c .. "'")
    end
  end
  toks[#toks + 1] = {t = "end", pos = n + 1}
  for _, t in ipairs(toks) do t.pos = t.pos + at - 1 end
  return toks
end

-- Replace ..name tokens by the tokens of the registered control set. Tokens
-- that come from a set keep the position of the ..name and say where from.
local function expand_macros(toks, text, macros, depth)
  depth = depth or 0
  if depth > 20 then formula_error(text, nil, "control sets refer to each other in a cycle") end
  local out = {}
  for _, tok in ipairs(toks) do
    if tok.t == "macro" then
      local body = macros and macros[tok.v]
      if not body then formula_error(text, tok.pos, "unknown control set '.." .. tok.v .. "'") end
      local inner = expand_macros(tokenise(body), body, macros, depth + 1)
      out[#out + 1] = {t = "(", pos = tok.pos, from = tok.from or tok.v}
      for k = 1, #inner - 1 do
        local t = inner[k]
        out[#out + 1] = {t = t.t, v = t.v, pos = tok.pos, from = tok.from or tok.v}
      end
      out[#out + 1] = {t = ")", pos = tok.pos, from = tok.from or tok.v}
    else
      out[#out + 1] = tok
    end
  end
  return out
end

------------------------------------------------------------------- parser

-- Term constructors; label is the canonical spelling used as the name.
local function var(name, pos) return {kind = "var", name = name, label = name, pos = pos} end

local function tsop(op, inner, pos)
  local letter, k = op:sub(1, 1), tonumber(op:sub(2)) or 1
  local kind = ({L = "lag", F = "lead", D = "diff"})[letter]
  local label = letter .. (k == 1 and "" or tostring(k)) .. "." .. inner.label
  return {kind = kind, k = k, of = inner, label = label, pos = pos}
end

local function product(factors, pos)
  local labels = {}
  for i, f in ipairs(factors) do labels[i] = f.label end
  return {kind = "prod", factors = factors, label = table.concat(labels, ":"), pos = pos}
end

local Parser = {}
Parser.__index = Parser

function Parser:peek() return self.toks[self.i] end
function Parser:next() local t = self.toks[self.i]; self.i = self.i + 1; return t end
function Parser:fail(tok, msg)
  formula_error(self.text, tok.pos, msg .. (tok.from and " (in control set .." .. tok.from .. ")" or ""))
end
function Parser:expect(t, what)
  local tok = self:next()
  if tok.t ~= t then self:fail(tok, "expected " .. what) end
  return tok
end

-- atom := name | tsop atom | fn '(' sum ')' | multi '(' sum, ... ')' | '(' sum ')' | number | '.'
-- Returns a list of alternatives, each a list of signed terms.
function Parser:atom()
  -- Depth is bounded so that hostile input is a formula error, not a stack overflow.
  self.depth = (self.depth or 0) + 1
  if self.depth > 100 then self:fail(self:peek(), "terms nested too deeply") end
  local alts = self:atom_inner()
  self.depth = self.depth - 1
  return alts
end

function Parser:atom_inner()
  local tok = self:next()
  if tok.t == "tsop" then
    local k = tok.v:sub(2)
    if k ~= "" and not (math.tointeger(tonumber(k)) and tonumber(k) <= 1e6) then
      self:fail(tok, "lag order " .. k .. " is too large")
    end
    local inner = self:atom_single(self:peek())
    return {{{term = tsop(tok.v, inner, tok.pos), sign = 1}}}
  elseif tok.t == "name" and self:peek().t == "(" then
    self:next()
    if FUNCTIONS[tok.v] then
      local inner = self:single_of(self:sum(), tok)
      self:expect(")", "')' closing " .. tok.v .. "(")
      local fun = {kind = "fun", fn = tok.v, of = inner, label = tok.v .. "(" .. inner.label .. ")", pos = tok.pos}
      return {{{term = fun, sign = 1}}}
    elseif MULTI[tok.v] then
      if self.multi then self:fail(tok, "only one sw()/csw() per formula") end
      local args = {self:sum()}
      while self:peek().t == "," do self:next(); args[#args + 1] = self:sum() end
      self:expect(")", "')' closing " .. tok.v .. "(")
      self.multi = {kind = tok.v, pos = tok.pos}
      -- Each argument is one list of alternatives with one element.
      local alts, cumulative = {}, tok.v:sub(1, 1) == "c"
      if tok.v:sub(-1) == "0" then alts[1] = {} end
      local acc = {}
      for _, a in ipairs(args) do
        local terms = a[1]
        if cumulative then
          for _, t in ipairs(terms) do acc[#acc + 1] = t end
          alts[#alts + 1] = {table.unpack(acc)}
        else
          alts[#alts + 1] = terms
        end
      end
      return alts
    else
      self:fail(tok, "unknown function '" .. tok.v .. "' (known: log, exp, sqrt, sw, csw, sw0, csw0)")
    end
  elseif tok.t == "name" then
    return {{{term = var(tok.v, tok.pos), sign = 1, from = tok.from}}}
  elseif tok.t == "(" then
    local inner = self:sum()
    self:expect(")", "')'")
    return inner
  elseif tok.t == "number" and (tok.v == 0 or tok.v == 1) then
    return {{{term = {kind = "const", value = tok.v, label = tostring(tok.v), pos = tok.pos}, sign = 1}}}
  elseif tok.t == "." then
    return {{{term = {kind = "dot", label = ".", pos = tok.pos}, sign = 1}}}
  end
  self:fail(tok, tok.t == "end" and "the formula ends too early" or "expected a variable")
end

function Parser:single_of(alts, tok)
  if #alts ~= 1 or #alts[1] ~= 1 or alts[1][1].sign ~= 1 then
    self:fail(tok, "expected a single term here")
  end
  return alts[1][1].term
end

function Parser:atom_single(tok)
  return self:single_of(self:atom(), tok)
end

-- Combine alternatives: every left alternative with every right one.
local function cross(a, b, combine)
  local out = {}
  for _, x in ipairs(a) do
    for _, y in ipairs(b) do out[#out + 1] = combine(x, y) end
  end
  return out
end

-- prod := atom ((':' | '*') atom)*
function Parser:prod()
  local left = self:atom()
  while self:peek().t == ":" or self:peek().t == "*" do
    local op = self:next()
    local right = self:atom()
    left = cross(left, right, function(x, y)
      if #x ~= 1 or #y ~= 1 then self:fail(op, "products take single terms") end
      local a, b = x[1].term, y[1].term
      local fa = a.kind == "prod" and a.factors or {a}
      local fb = b.kind == "prod" and b.factors or {b}
      local factors = {table.unpack(fa)}
      for _, f in ipairs(fb) do factors[#factors + 1] = f end
      local p = {term = product(factors, a.pos), sign = 1}
      if op.t == ":" then return {p} end
      return {x[1], y[1], p}
    end)
  end
  return left
end

-- sum := ['-'] prod (('+' | '-') prod)*
function Parser:sum()
  local sign = 1
  if self:peek().t == "-" then self:next(); sign = -1 end
  local acc = self:prod()
  local function signed(alts, s)
    if s == 1 then return alts end
    local out = {}
    for i, alt in ipairs(alts) do
      out[i] = {}
      for j, t in ipairs(alt) do out[i][j] = {term = t.term, sign = -t.sign, from = t.from} end
    end
    return out
  end
  acc = signed(acc, sign)
  while self:peek().t == "+" or self:peek().t == "-" do
    local s = self:next().t == "+" and 1 or -1
    local rhs = signed(self:prod(), s)
    acc = cross(acc, rhs, function(x, y)
      local z = {table.unpack(x)}
      for _, t in ipairs(y) do z[#z + 1] = t end
      return z
    end)
  end
  return acc
end

-- Resolve a signed term list into terms: '-x' removes x, '-1'/'0' drop the
-- constant, duplicates collapse. Returns terms, constant flag (nil = default).
local function resolve(signed_terms, base, text)
  local terms, seen, constant = {}, {}, nil
  local function add(t)
    if not seen[t.label] then seen[t.label] = true; terms[#terms + 1] = t end
  end
  for _, st in ipairs(signed_terms) do
    local t = st.term
    if t.kind == "dot" then
      for _, b in ipairs(base or {}) do add(b) end
    elseif t.kind == "const" then
      constant = (st.sign == 1 and t.value == 1)
    elseif st.sign == 1 then
      add(t)
    elseif seen[t.label] then
      seen[t.label] = nil
      for i, u in ipairs(terms) do
        if u.label == t.label then table.remove(terms, i) break end
      end
    else
      local have = {}
      for i, u in ipairs(terms) do have[i] = u.label end
      formula_error(text, t.pos, "cannot remove '" .. t.label .. "': it is not in the model" ..
        (#have > 0 and (" (terms: " .. table.concat(have, ", ") .. ")") or ""))
    end
  end
  return terms, constant
end

-- Split text at top-level '|' (outside parentheses); returns parts with offsets.
local function split_parts(text)
  local parts, depth, start = {}, 0, 1
  for i = 1, #text do
    local c = text:sub(i, i)
    if c == "(" then depth = depth + 1
    elseif c == ")" then depth = depth - 1
    elseif c == "|" and depth == 0 then
      parts[#parts + 1] = {s = text:sub(start, i - 1), at = start}
      start = i + 1
    end
  end
  parts[#parts + 1] = {s = text:sub(start), at = start}
  return parts
end

-- Parse one part (a substring at offset `at`) into alternatives of signed terms.
local function parse_sum(text, part, macros, what)
  local toks = tokenise(part.s, part.at, text)
  toks = expand_macros(toks, text, macros)
  local p = setmetatable({toks = toks, i = 1, text = text}, Parser)
  if toks[1].t == "end" then formula_error(text, part.at, what .. " is empty") end
  local alts = p:sum()
  local tok = p:peek()
  if tok.t ~= "end" then p:fail(tok, "unexpected '" .. (tok.v or tok.t) .. "' in " .. what) end
  return alts, p.multi
end

--- M.parse(text, macros [, base]) -> list of specs (one per sw/csw alternative).
-- A spec: {depvar = term, exog = {terms}, fe = {names}, endog = {terms},
--          inst = {terms}, constant = bool|nil, text = text, rhs = k}.
-- base, for update(): the spec whose parts '.' stands for.
function M.parse(text, macros, base)
  if type(text) ~= "string" then error("formula must be a string", 2) end
  local parts = split_parts(text)
  local main, iv, fes = parts[1], nil, {}
  for k = 2, #parts do
    if parts[k].s:find("~", 1, true) then
      if iv then formula_error(text, parts[k].at, "more than one IV part") end
      iv = parts[k]
    else
      fes[#fes + 1] = parts[k]
    end
  end
  if #fes > 1 then formula_error(text, fes[2].at, "more than one fixed-effects part") end
  local tilde = main.s:find("~", 1, true)
  if not tilde then formula_error(text, #main.s + 1, "expected '~' between the dependent variable and the regressors") end

  local function sides(part, what)
    local t = part.s:find("~", 1, true)
    local lhs = {s = part.s:sub(1, t - 1), at = part.at}
    local rhs = {s = part.s:sub(t + 1), at = part.at + t}
    if rhs.s:find("~", 1, true) then formula_error(text, rhs.at + rhs.s:find("~", 1, true) - 1, "a second '~' in " .. what) end
    return lhs, rhs
  end

  local lhs, rhs = sides(main, "the model")
  local dep_alts = parse_sum(text, lhs, macros, "the dependent variable")
  if #dep_alts ~= 1 or #dep_alts[1] ~= 1 then formula_error(text, lhs.at, "one dependent variable expected") end
  local depvar = dep_alts[1][1].term
  if depvar.kind == "dot" then
    if not base then formula_error(text, depvar.pos, "'.' only in update()") end
    depvar = base.depvar
  end
  local rhs_alts, multi = parse_sum(text, rhs, macros, "the regressors")

  local fe
  if fes[1] then
    local alts = parse_sum(text, fes[1], macros, "the fixed effects")
    fe = {}
    for _, st in ipairs(resolve(alts[1], base and base.fe_terms, text)) do
      if st.kind ~= "var" then formula_error(text, st.pos, "fixed effects must be variable names") end
      fe[#fe + 1] = st
    end
  elseif base then
    fe = base.fe_terms
  end

  local endog, inst
  if iv then
    local ilhs, irhs = sides(iv, "the IV part")
    endog = resolve(parse_sum(text, ilhs, macros, "the endogenous regressors")[1], base and base.endog, text)
    inst = resolve(parse_sum(text, irhs, macros, "the instruments")[1], base and base.inst, text)
  elseif base then
    endog, inst = base.endog, base.inst
  end

  local specs = {}
  for k, alt in ipairs(rhs_alts) do
    local exog, constant = resolve(alt, base and base.exog, text)
    if constant == nil and base then constant = base.constant end
    local fe_names = {}
    for i, t in ipairs(fe or {}) do fe_names[i] = t.name end
    specs[k] = {depvar = depvar, exog = exog, constant = constant, fe = fe_names, fe_terms = fe or {},
                endog = endog or {}, inst = inst or {}, text = text, rhs = k, multi = multi}
  end
  return specs
end

--- The variables a term reads, with the term's position (for error messages).
function M.variables(term, out)
  out = out or {}
  if term.kind == "var" then out[#out + 1] = term
  elseif term.kind == "prod" then for _, f in ipairs(term.factors) do M.variables(f, out) end
  elseif term.of then M.variables(term.of, out) end
  return out
end

--- Rebuild formula text from a spec (for printing and update()).
function M.text(spec)
  local function labels(ts)
    local out = {}
    for i, t in ipairs(ts) do out[i] = t.label end
    return table.concat(out, " + ")
  end
  local rhs = labels(spec.exog)
  if spec.constant == false then rhs = (rhs == "" and "0" or rhs .. " - 1") end
  if rhs == "" then rhs = "1" end
  local s = spec.depvar.label .. " ~ " .. rhs
  if #spec.fe > 0 then s = s .. " | " .. table.concat(spec.fe, " + ") end
  if #spec.endog > 0 then s = s .. " | " .. labels(spec.endog) .. " ~ " .. labels(spec.inst) end
  return s
end

return M
