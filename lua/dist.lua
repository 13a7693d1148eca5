-- dist.lua — module "tfp.dist": the few distribution tails and quantiles the
-- Lua layer needs (stars of first-stage coefficients and correlations,
-- confidence intervals of coefficient plots). The estimator's own p values
-- come from C (core/iv_diag.c); these agree with them to about 1e-10.
--
--   D.norm_tail2(z)      two-sided P(|Z| > |z|)
--   D.t_tail2(df, t)     two-sided P(|T_df| > |t|); df = inf is the normal
--   D.norm_quantile(p)   x with P(Z <= x) = p
--   D.t_quantile(df, p)  x with P(T_df <= x) = p
local M = {}

local exp, log, abs = math.exp, math.log, math.abs

-- log Gamma(x), x > 0 (Lanczos, g = 5, n = 6; relative error < 2e-10).
local LANCZOS = {76.18009172947146, -86.50532032941677, 24.01409824083091,
                 -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5}
local function lgamma(x)
  local y, tmp = x, x + 5.5
  tmp = tmp - (x + 0.5) * log(tmp)
  local ser = 1.000000000190015
  for j = 1, 6 do y = y + 1; ser = ser + LANCZOS[j] / y end
  return -tmp + log(2.5066282746310005 * ser / x)
end
M.lgamma = lgamma

-- Regularized upper incomplete gamma Q(a, x): series below a + 1, continued
-- fraction (modified Lentz) above.
local function gamma_q(a, x)
  if x <= 0 then return 1 end
  local gln = lgamma(a)
  if x < a + 1 then
    local ap, sum = a, 1 / a
    local del = sum
    for _ = 1, 1000 do
      ap = ap + 1; del = del * x / ap; sum = sum + del
      if abs(del) < abs(sum) * 1e-16 then break end
    end
    return 1 - sum * exp(-x + a * log(x) - gln)
  end
  local tiny = 1e-300
  local b = x + 1 - a
  local c, d = 1 / tiny, 1 / b
  local h = d
  for i = 1, 1000 do
    local an = -i * (i - a)
    b = b + 2
    d = an * d + b; if abs(d) < tiny then d = tiny end
    c = b + an / c; if abs(c) < tiny then c = tiny end
    d = 1 / d
    local del = d * c
    h = h * del
    if abs(del - 1) < 1e-16 then break end
  end
  return exp(-x + a * log(x) - gln) * h
end

-- Continued fraction of the incomplete beta (Numerical Recipes' betacf).
local function betacf(a, b, x)
  local tiny = 1e-300
  local qab, qap, qam = a + b, a + 1, a - 1
  local c, d = 1, 1 - qab * x / qap
  if abs(d) < tiny then d = tiny end
  d = 1 / d
  local h = d
  for m = 1, 1000 do
    local m2 = 2 * m
    local aa = m * (b - m) * x / ((qam + m2) * (a + m2))
    d = 1 + aa * d; if abs(d) < tiny then d = tiny end
    c = 1 + aa / c; if abs(c) < tiny then c = tiny end
    d = 1 / d; h = h * d * c
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
    d = 1 + aa * d; if abs(d) < tiny then d = tiny end
    c = 1 + aa / c; if abs(c) < tiny then c = tiny end
    d = 1 / d
    local del = d * c
    h = h * del
    if abs(del - 1) < 1e-16 then break end
  end
  return h
end

-- Regularized incomplete beta I_x(a, b).
local function beta_i(a, b, x)
  if x <= 0 then return 0 end
  if x >= 1 then return 1 end
  local bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x))
  if x < (a + 1) / (a + b + 2) then return bt * betacf(a, b, x) / a end
  return 1 - bt * betacf(b, a, 1 - x) / b
end

function M.norm_tail2(z)
  if z ~= z then return z end
  return gamma_q(0.5, z * z / 2)
end

function M.t_tail2(df, t)
  if t ~= t or df ~= df then return 0 / 0 end
  if df == math.huge then return M.norm_tail2(t) end
  return beta_i(df / 2, 0.5, df / (df + t * t))
end

-- Bisection on a symmetric two-sided tail: x >= 0 with tail2(x) = q.
local function invert(tail2, q)
  local lo, hi = 0, 1
  while tail2(hi) > q do hi = hi * 2 end
  for _ = 1, 200 do
    local mid = (lo + hi) / 2
    if tail2(mid) > q then lo = mid else hi = mid end
    if hi - lo < 1e-12 * hi then break end
  end
  return (lo + hi) / 2
end

local function quantile(tail2, p)
  if not (p > 0 and p < 1) then return 0 / 0 end
  if p == 0.5 then return 0 end
  local x = invert(tail2, 2 * math.min(p, 1 - p))
  return p < 0.5 and -x or x
end

function M.norm_quantile(p) return quantile(M.norm_tail2, p) end

function M.t_quantile(df, p)
  return quantile(function(x) return M.t_tail2(df, x) end, p)
end

return M
