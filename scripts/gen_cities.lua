-- scripts/gen_cities.lua — the seeded generator of data/cities.csv, the
-- embedded default panel (261 cities, 2003-2017). The data-generating process
-- and its true parameters are documented in data/README.md; keep the two in
-- step. Plain Lua 5.4: math.randomseed(seed) makes math.random deterministic,
-- and every number is written with a fixed format, so the output regenerates
-- byte for byte.
--
--   tfpkit scripts/gen_cities.lua [OUT.csv [TRUTH.csv]]   -- default data/cities.csv
--
-- TRUTH.csv (optional, not embedded) gets the latent series per city-year:
-- log A, the TFP shock u, the true capital stock and the generator's LQs.

local SEED = 13
local out_path = arg and arg[1] or "data/cities.csv"
local truth_path = arg and arg[2]
math.randomseed(SEED)

------------------------------------------------------------------ cities
-- Provinces in the NBS three-belt classification (East 11, Central 8, West
-- 12; Tibet has no city in the sample), with prefecture-level cities. The
-- names are labels only: every number in the file is synthetic.
local provinces = {
  {"Beijing", "East", {"Beijing"}},
  {"Tianjin", "East", {"Tianjin"}},
  {"Hebei", "East", {"Shijiazhuang", "Tangshan", "Qinhuangdao", "Handan", "Xingtai", "Baoding",
                     "Zhangjiakou", "Chengde", "Cangzhou", "Langfang", "Hengshui"}},
  {"Liaoning", "East", {"Shenyang", "Dalian", "Anshan", "Fushun", "Benxi", "Dandong", "Jinzhou",
                        "Yingkou", "Fuxin", "Liaoyang", "Panjin", "Tieling", "Chaoyang", "Huludao"}},
  {"Shanghai", "East", {"Shanghai"}},
  {"Jiangsu", "East", {"Nanjing", "Wuxi", "Xuzhou", "Changzhou", "Suzhou", "Nantong", "Lianyungang",
                       "Huai'an", "Yancheng", "Yangzhou", "Zhenjiang", "Taizhou", "Suqian"}},
  {"Zhejiang", "East", {"Hangzhou", "Ningbo", "Wenzhou", "Jiaxing", "Huzhou", "Shaoxing", "Jinhua",
                        "Quzhou", "Zhoushan", "Taizhou", "Lishui"}},
  {"Fujian", "East", {"Fuzhou", "Xiamen", "Putian", "Sanming", "Quanzhou", "Zhangzhou", "Nanping",
                      "Longyan", "Ningde"}},
  {"Shandong", "East", {"Jinan", "Qingdao", "Zibo", "Zaozhuang", "Dongying", "Yantai", "Weifang",
                        "Jining", "Tai'an", "Weihai", "Rizhao", "Laiwu", "Linyi", "Dezhou",
                        "Liaocheng", "Binzhou", "Heze"}},
  {"Guangdong", "East", {"Guangzhou", "Shaoguan", "Shenzhen", "Zhuhai", "Shantou", "Foshan",
                         "Jiangmen", "Zhanjiang", "Maoming", "Zhaoqing", "Huizhou", "Meizhou",
                         "Shanwei", "Heyuan", "Yangjiang", "Qingyuan", "Dongguan", "Zhongshan",
                         "Chaozhou", "Jieyang", "Yunfu"}},
  {"Hainan", "East", {"Haikou", "Sanya"}},
  {"Shanxi", "Central", {"Taiyuan", "Datong", "Yangquan", "Changzhi", "Jincheng", "Shuozhou",
                         "Jinzhong", "Yuncheng", "Xinzhou", "Linfen", "Lvliang"}},
  {"Jilin", "Central", {"Changchun", "Jilin", "Siping", "Liaoyuan", "Tonghua", "Baishan",
                        "Songyuan", "Baicheng"}},
  {"Heilongjiang", "Central", {"Harbin", "Qiqihar", "Jixi", "Hegang", "Shuangyashan", "Daqing",
                               "Yichun", "Jiamusi", "Qitaihe", "Mudanjiang", "Heihe"}},
  {"Anhui", "Central", {"Hefei", "Wuhu", "Bengbu", "Huainan", "Ma'anshan", "Huaibei", "Tongling",
                        "Anqing", "Huangshan", "Chuzhou", "Fuyang", "Suzhou", "Lu'an", "Bozhou",
                        "Chizhou", "Xuancheng"}},
  {"Jiangxi", "Central", {"Nanchang", "Jingdezhen", "Pingxiang", "Jiujiang", "Xinyu", "Yingtan",
                          "Ganzhou", "Ji'an", "Yichun", "Fuzhou", "Shangrao"}},
  {"Henan", "Central", {"Zhengzhou", "Kaifeng", "Luoyang", "Pingdingshan", "Anyang", "Hebi",
                        "Xinxiang", "Jiaozuo", "Puyang", "Xuchang", "Luohe", "Sanmenxia", "Nanyang",
                        "Shangqiu", "Xinyang", "Zhoukou", "Zhumadian"}},
  {"Hubei", "Central", {"Wuhan", "Huangshi", "Shiyan", "Yichang", "Xiangyang", "Ezhou", "Jingmen",
                        "Xiaogan", "Jingzhou", "Huanggang", "Xianning", "Suizhou"}},
  {"Hunan", "Central", {"Changsha", "Zhuzhou", "Xiangtan", "Hengyang", "Shaoyang", "Yueyang",
                        "Changde", "Zhangjiajie", "Yiyang", "Chenzhou", "Yongzhou", "Huaihua", "Loudi"}},
  {"Inner Mongolia", "West", {"Hohhot", "Baotou", "Wuhai", "Chifeng", "Tongliao", "Ordos"}},
  {"Guangxi", "West", {"Nanning", "Liuzhou", "Guilin", "Wuzhou", "Beihai", "Fangchenggang",
                       "Qinzhou", "Guigang", "Yulin", "Baise"}},
  {"Chongqing", "West", {"Chongqing"}},
  {"Sichuan", "West", {"Chengdu", "Zigong", "Panzhihua", "Luzhou", "Deyang", "Mianyang", "Guangyuan",
                       "Suining", "Neijiang", "Leshan", "Nanchong", "Meishan", "Yibin", "Guang'an"}},
  {"Guizhou", "West", {"Guiyang", "Liupanshui", "Zunyi"}},
  {"Yunnan", "West", {"Kunming", "Qujing", "Yuxi", "Baoshan", "Zhaotong", "Lijiang"}},
  {"Shaanxi", "West", {"Xi'an", "Tongchuan", "Baoji", "Xianyang", "Weinan", "Yan'an", "Hanzhong", "Yulin"}},
  {"Gansu", "West", {"Lanzhou", "Jiayuguan", "Jinchang", "Baiyin", "Tianshui", "Wuwei", "Zhangye"}},
  {"Qinghai", "West", {"Xining"}},
  {"Ningxia", "West", {"Yinchuan", "Shizuishan", "Wuzhong"}},
  {"Xinjiang", "West", {"Urumqi", "Karamay"}},
}

------------------------------------------------------- true parameters
-- (data/README.md, "The data-generating process", states the same numbers.)
local YEARS = {2003, 2017}
local DELTA = 0.096                      -- depreciation (the paper's 9.6%)
local ALPHA = 0.45                       -- capital elasticity; Y = A K^a L^(1-a), CRS
local C0 = 0.86                          -- scale of log A, so Y is in 100 million yuan
local LAMBDA = 0.015                     -- common TFP growth per year
local SIGMA_U = 0.02                     -- TFP shock u (iid over years and cities)
local RHO = 0.7                          -- persistence of agglomeration deviations
local PHI_H, PHI_L = 3.0, 3.0            -- response of log service shares to this year's TFP shock
local PHI_PREV = 0.5                     -- ... and to last year's
local SIGMA_H, SIGMA_L = 0.18, 0.18      -- own shocks of log service shares
local SYS_REF = 0.08                     -- city effects: a_i = region + N(0, SD_A^2) - (sys_i,2003 - SYS_REF)
local PSI_L = 0.5                        -- employment: response to the TFP shock u_t
local PSI_I, PSI_IPREV = 1.0, 0.5        -- investment: response to u_t and to last year's TFP deviation
local KAPPA = 0.08                       -- capital deepening: K/L grows 8% a year
local SD_A, SD_KL = 0.03, 0.2            -- cross-city sd of log A and of log K/L in 2003
local SD_GINV, SD_RWI = 0.02, 0.06       -- sd of trend investment growth; random-walk steps of log I
local SD_L = 0.02                        -- iid noise of log employment around K/L
local GAMMA = {STR = 0.02, GOV = -0.20, H = 2.0}   -- controls in log A (others 0)
-- The bad output: industrial SO2 (tonnes) = intensity x secondary value added.
-- Drawn after everything else, so the other columns are what they were.
local SO2_INT = 250                      -- median tonnes per 100 million yuan of VA, 2003
local SO2_REGION = {East = 0.0, Central = 0.15, West = 0.30}   -- log intensity shift
local SO2_SD_CITY, SO2_SD = 0.4, 0.15    -- sd of the city's log intensity; iid year noise
local SO2_G1, SO2_G2 = 0.03, 0.10        -- intensity falls 3% a year to 2006, 10% a year after
local SO2_TFP = 1.0                      -- elasticity of intensity to the TFP shock u (cleaner when productive)
local region = {
  --          pop (10k)  log A   log sH  log sL   beta_H  beta_L
  East    = {pop = 480, a = 0.03, h = 0.15, l = 0.05, bH = 0.070, bL = 0.025},
  Central = {pop = 420, a = 0.00, h = -0.05, l = 0.00, bH = 0.035, bL = -0.010},
  West    = {pop = 330, a = -0.03, h = 0.00, l = 0.00, bH = 0.000, bL = -0.010},
}
-- National price inflation (%) 2003-2017: GDP deflator and fixed-asset investment.
local INFL_GDP = {2.6, 6.9, 3.9, 3.9, 7.7, 7.8, -0.2, 6.9, 8.1, 2.4, 2.2, 0.8, 0.1, 1.2, 4.2}
local INFL_INV = {2.2, 5.6, 1.6, 1.5, 3.9, 8.9, -2.4, 3.6, 6.6, 1.1, 0.3, 0.5, -1.8, -0.6, 5.8}

---------------------------------------------------------------- helpers
local exp, log, sqrt = math.exp, math.log, math.sqrt
local function normal()                  -- Box-Muller, one draw per call
  local u1, u2 = 1 - math.random(), math.random()
  return sqrt(-2 * log(u1)) * math.cos(2 * math.pi * u2)
end
local function lognormal(median, sd) return median * exp(sd * normal()) end
local function clamp(x, lo, hi) return x < lo and lo or (x > hi and hi or x) end

-------------------------------------------------------------- the cities
local cities = {}
for _, p in ipairs(provinces) do
  local reg = region[p[2]]
  for _, name in ipairs(p[3]) do
    local c = {id = #cities + 1, name = name, province = p[1], region = p[2], reg = reg}
    c.pop = lognormal(reg.pop, 0.45)
    c.g_pop = 0.004 + 0.004 * normal()
    c.emp = c.pop * lognormal(0.11, 0.3)
    c.a = reg.a + SD_A * normal()
    c.kl = lognormal(25, SD_KL)                 -- K/L in 2003, 100 million yuan per 10k workers
    c.K = c.emp * c.kl
    c.g_inv = 0.12 + SD_GINV * normal()
    c.inv0 = c.K * (c.g_inv + DELTA) * lognormal(1, 0.1)
    c.mu_h = log(0.07) + reg.h + 0.35 * normal()
    c.mu_l = log(0.075) + reg.l + 0.25 * normal()
    c.w_h = {lognormal(0.25, 0.3), lognormal(0.45, 0.3), lognormal(0.30, 0.3)}   -- ict, finance, research
    c.w_l = {lognormal(0.65, 0.2), lognormal(0.35, 0.3)}                         -- transport, leasing
    c.str = lognormal(1.2, 0.3)
    c.gov = lognormal(0.12, 0.35)
    c.h = lognormal(0.012, 0.9)
    c.fdi = lognormal(0.02, 0.9)
    c.road = lognormal(8, 0.35)
    c.primary = clamp(lognormal(0.12, 0.5), 0.01, 0.35)
    c.dh = SIGMA_H / sqrt(1 - RHO * RHO) * normal()
    c.dl = SIGMA_L / sqrt(1 - RHO * RHO) * normal()
    c.x = {str = 0, gov = 0, h = 0, fdi = 0, road = 0}
    c.rw_inv, c.dev_prev = 0, 0
    c.p_gdp, c.p_inv = 1, 1
    c.rows = {}
    cities[#cities + 1] = c
  end
end
assert(#cities == 261)

--------------------------------------------------------------- the years
for year = YEARS[1], YEARS[2] do
  local t = year - YEARS[1]
  -- Inputs and service shares first: the location quotients need the
  -- national ratios of the year before TFP can be formed.
  local tot_emp, tot_h, tot_l = 0, 0, 0
  for _, c in ipairs(cities) do
    c.u_prev = c.u or 0
    c.u = SIGMA_U * normal()
    if t > 0 then
      c.dh = RHO * c.dh + SIGMA_H * normal()
      c.dl = RHO * c.dl + SIGMA_L * normal()
      c.pop = c.pop * exp(c.g_pop + 0.01 * normal())
      c.rw_inv = c.rw_inv + SD_RWI * normal()
    end
    c.share_h = exp(c.mu_h + 0.012 * t + c.dh + PHI_H * c.u + PHI_PREV * c.u_prev)
    c.share_l = exp(c.mu_l + c.dl + PHI_L * c.u + PHI_PREV * c.u_prev)
    -- Investment: trend growth slowing by 0.5 points a year, reacting to productivity.
    local growth = 0
    for s = 1, t do growth = growth + c.g_inv - 0.005 * s end
    c.I = c.inv0 * exp(growth + c.rw_inv + PSI_I * c.u + PSI_IPREV * c.dev_prev)
    if t > 0 then c.K = (1 - DELTA) * c.K + c.I end
    -- Employment follows the capital stock at a K/L ratio deepening by KAPPA a
    -- year: scale moves a lot, the input mix little (what DEA can measure).
    c.L = c.K / (c.kl * exp(KAPPA * t)) * exp(SD_L * normal() + PSI_L * c.u)
    tot_emp = tot_emp + c.L
    tot_h = tot_h + c.share_h * c.L
    tot_l = tot_l + c.share_l * c.L
  end
  for _, c in ipairs(cities) do
    local reg = c.reg
    local lq_h = c.share_h / (tot_h / tot_emp)
    local lq_l = c.share_l / (tot_l / tot_emp)
    -- In a fixed order: pairs() order is not reproducible across runs.
    for _, ks in ipairs({{"str", 0.05}, {"gov", 0.05}, {"h", 0.05}, {"fdi", 0.15}, {"road", 0.05}}) do
      c.x[ks[1]] = 0.7 * c.x[ks[1]] + ks[2] * normal()
    end
    local STR = c.str * exp(-0.01 * t + c.x.str)
    local GOV = c.gov * exp(0.02 * t + c.x.gov)
    local H = clamp(c.h * exp(0.04 * t + c.x.h), 0.0005, 0.08)
    local FDI = c.fdi * exp(-0.05 * t + c.x.fdi)
    local ROAD = c.road * exp(0.04 * t + c.x.road)
    local sys = reg.bH * lq_h + reg.bL * lq_l + GAMMA.STR * STR + GAMMA.GOV * GOV + GAMMA.H * H
    -- The city effect offsets the systematic part of 2003, so cities start
    -- with similar TFP (a dense DEA frontier) and differ in its movements;
    -- with city fixed effects in the model this changes no estimand.
    if t == 0 then c.a = c.a - (sys - SYS_REF) end
    local dev = sys + c.u
    local logA = c.a + LAMBDA * t + dev
    local Y = exp(C0 + logA) * c.K ^ ALPHA * c.L ^ (1 - ALPHA)
    c.dev_prev = dev
    c.truth = c.truth or {}
    c.truth[#c.truth + 1] = string.format("%d,%d,%.6f,%.6f,%.4f,%.6f,%.6f", c.id, year, logA, c.u, c.K, lq_h, lq_l)
    -- Prices: chained indexes (previous year = 100) as printed, levels from the printed values.
    local idx_gdp = string.format("%.2f", 100 + INFL_GDP[t + 1] + 0.8 * normal())
    local idx_inv = string.format("%.2f", 100 + INFL_INV[t + 1] + 0.8 * normal())
    if t > 0 then
      c.p_gdp = c.p_gdp * tonumber(idx_gdp) / 100
      c.p_inv = c.p_inv * tonumber(idx_inv) / 100
    end
    local gdp = Y * c.p_gdp
    local primary = clamp(c.primary * exp(-0.03 * t), 0.005, 0.35)
    local va_ter = gdp * (1 - primary) / (1 + STR)
    local emp_h, emp_l = c.share_h * c.L, c.share_l * c.L
    local wh = {}
    local sw = 0
    for k = 1, 3 do wh[k] = c.w_h[k] * exp(0.05 * normal()); sw = sw + wh[k] end
    for k = 1, 3 do wh[k] = emp_h * wh[k] / sw end
    local wl1 = c.w_l[1] * exp(0.05 * normal())
    local wl2 = c.w_l[2] * exp(0.05 * normal())
    c.so2 = c.so2 or {}
    c.so2[#c.so2 + 1] = {va = tonumber(string.format("%.2f", STR * va_ter)), t = t, u = c.u}
    c.rows[#c.rows + 1] = string.format(
      "%d,%s,%s,%s,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f,%s,%.2f,%s,%.2f,%.2f,%.2f,%.3f,%.3f,%.2f,%.1f",
      c.id, c.name, c.province, c.region, year, c.L,
      emp_l * wl1 / (wl1 + wl2), wh[1], wh[2], emp_l * wl2 / (wl1 + wl2), wh[3],
      gdp, idx_gdp, c.I * c.p_inv, idx_inv, STR * va_ter, va_ter, GOV * gdp, FDI * gdp,
      H * c.pop, c.pop, ROAD * c.pop)
  end
end

------------------------------------------------------- emissions (SO2)
-- Own draws after all the others: a city's log intensity, then its years'.
for _, c in ipairs(cities) do
  local mu = math.log(SO2_INT) + SO2_REGION[c.region] + SO2_SD_CITY * normal()
  for k, e in ipairs(c.so2) do
    local trend = SO2_G1 * math.min(e.t, 3) + SO2_G2 * math.max(e.t - 3, 0)
    local so2 = e.va * exp(mu - trend - SO2_TFP * e.u + SO2_SD * normal())
    c.rows[k] = c.rows[k] .. string.format(",%.1f", so2)
  end
end

------------------------------------------------------------------ output
-- Under tfpkit through its atomic writer (a reader never sees half a file;
-- links followed, modes kept); plain Lua writes directly.
local function write_file(path, lines)
  local text = table.concat(lines, "\n") .. "\n"
  if tfp and tfp._write_file then return tfp._write_file(path, text, "gen_cities.lua") end
  local fh = assert(io.open(path, "wb"))
  assert(fh:write(text))
  assert(fh:close())
end

local lines = {"city,city_name,province,region,year,emp_total,emp_transport,emp_ict,emp_finance,"
  .. "emp_leasing,emp_research,gdp,gdp_index,inv,inv_price_index,va_secondary,va_tertiary,"
  .. "budget_exp,fdi,students,population,road_area,so2"}
for _, c in ipairs(cities) do
  for _, row in ipairs(c.rows) do lines[#lines + 1] = row end
end
write_file(out_path, lines)
if truth_path then
  lines = {"city,year,log_A,u,K_true,lq_high,lq_low"}
  for _, c in ipairs(cities) do
    for _, row in ipairs(c.truth) do lines[#lines + 1] = row end
  end
  write_file(truth_path, lines)
end
