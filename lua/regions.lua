-- regions.lua — module "tfp.regions": Chinese provinces and the East /
-- Central / West belts used to split the sample (the paper: 101 East, 99
-- Central, 61 West cities). The classification is the National Bureau of
-- Statistics' three belts as used since the Western Development programme
-- (2000): East 11 provinces, Central 8, West 12 (Inner Mongolia and Guangxi
-- are West). Hong Kong, Macao and Taiwan are in none of them.
--
--   local regions = require "tfp.regions"
--   regions.region("Guangdong")          --> "East"
--   regions.region("内蒙古自治区")        --> "West"
--   f.region = regions.classify(f.province)   -- a vector; errors name the row
local M = {}

M.REGIONS = {"East", "Central", "West"}

-- Canonical pinyin name, Chinese name, region, other spellings (postal and
-- Wade-Giles forms still found in English-language sources).
M.provinces = {
  {name = "Beijing", zh = "北京", region = "East", aka = {"Peking", "Peiping"}},
  {name = "Tianjin", zh = "天津", region = "East", aka = {"Tientsin"}},
  {name = "Hebei", zh = "河北", region = "East", aka = {"Hopeh", "Hopei"}},
  {name = "Liaoning", zh = "辽宁", region = "East", aka = {}},
  {name = "Shanghai", zh = "上海", region = "East", aka = {}},
  {name = "Jiangsu", zh = "江苏", region = "East", aka = {"Kiangsu"}},
  {name = "Zhejiang", zh = "浙江", region = "East", aka = {"Chekiang"}},
  {name = "Fujian", zh = "福建", region = "East", aka = {"Fukien"}},
  {name = "Shandong", zh = "山东", region = "East", aka = {"Shantung"}},
  {name = "Guangdong", zh = "广东", region = "East", aka = {"Kwangtung"}},
  {name = "Hainan", zh = "海南", region = "East", aka = {}},
  {name = "Shanxi", zh = "山西", region = "Central", aka = {"Shansi"}},
  {name = "Jilin", zh = "吉林", region = "Central", aka = {"Kirin"}},
  {name = "Heilongjiang", zh = "黑龙江", region = "Central", aka = {"Heilungkiang"}},
  {name = "Anhui", zh = "安徽", region = "Central", aka = {"Anhwei"}},
  {name = "Jiangxi", zh = "江西", region = "Central", aka = {"Kiangsi"}},
  {name = "Henan", zh = "河南", region = "Central", aka = {"Honan"}},
  {name = "Hubei", zh = "湖北", region = "Central", aka = {"Hupeh", "Hupei"}},
  {name = "Hunan", zh = "湖南", region = "Central", aka = {}},
  {name = "Inner Mongolia", zh = "内蒙古", region = "West", aka = {"Nei Mongol", "Neimenggu", "Nei Menggu"}},
  {name = "Guangxi", zh = "广西", region = "West", aka = {"Kwangsi", "Guangxi Zhuang"}},
  {name = "Chongqing", zh = "重庆", region = "West", aka = {"Chungking"}},
  {name = "Sichuan", zh = "四川", region = "West", aka = {"Szechwan", "Szechuan"}},
  {name = "Guizhou", zh = "贵州", region = "West", aka = {"Kweichow"}},
  {name = "Yunnan", zh = "云南", region = "West", aka = {}},
  {name = "Tibet", zh = "西藏", region = "West", aka = {"Xizang"}},
  {name = "Shaanxi", zh = "陕西", region = "West", aka = {"Shensi"}},
  {name = "Gansu", zh = "甘肃", region = "West", aka = {"Kansu"}},
  {name = "Qinghai", zh = "青海", region = "West", aka = {"Tsinghai"}},
  {name = "Ningxia", zh = "宁夏", region = "West", aka = {"Ningxia Hui"}},
  {name = "Xinjiang", zh = "新疆", region = "West", aka = {"Sinkiang", "Xinjiang Uygur", "Xinjiang Uyghur", "Xinjiang Uighur"}},
}

-- Administrative suffixes dropped before matching, longest first.
local zh_suffixes = {"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"}
local en_suffixes = {"specialadministrativeregion", "autonomousregion", "municipality", "province",
                     "zizhiqu", "sheng", "shi"}

local function key(s)
  for _, suf in ipairs(zh_suffixes) do
    if #s > #suf and s:sub(-#suf) == suf then s = s:sub(1, -#suf - 1); break end
  end
  s = s:lower():gsub("[%s%-_'%.]", "")
  for _, suf in ipairs(en_suffixes) do
    if #s > #suf and s:sub(-#suf) == suf then s = s:sub(1, -#suf - 1); break end
  end
  return s
end

local by_key = {}
for _, p in ipairs(M.provinces) do
  by_key[key(p.name)] = p
  by_key[p.zh] = p
  for _, a in ipairs(p.aka) do by_key[key(a)] = p end
end

--- The canonical pinyin name of a province, or nil and a message.
function M.province(name)
  if type(name) ~= "string" then return nil, "province name expected, got " .. type(name) end
  local p = by_key[key(name)]
  if not p then
    return nil, string.format("unknown province '%s' (expected one of the 31 mainland provinces, "
      .. "in pinyin, English or Chinese)", name)
  end
  return p.name
end

--- "East", "Central" or "West" for a province name, or nil and a message.
function M.region(name)
  local canon, err = M.province(name)
  if not canon then return nil, err end
  return by_key[key(canon)].region
end

--- The provinces of a region, in the order of M.provinces.
function M.of_region(region)
  local out = {}
  for _, p in ipairs(M.provinces) do
    if p.region == region then out[#out + 1] = p.name end
  end
  if #out == 0 then error(string.format("unknown region '%s' (East, Central or West)", tostring(region)), 2) end
  return out
end

--- Regions for a vector or table of province names: a string vector (a
-- table when tfp is not loaded); missing stays missing, an unknown name is
-- an error naming its row.
function M.classify(values)
  local n = #values
  local out = {}
  for i = 1, n do
    local v = values[i]
    if v ~= nil then
      local r, err = M.region(tostring(v))
      if not r then error(string.format("row %d: %s", i, err), 2) end
      out[i] = r
    end
  end
  if tfp and tfp.vector then return tfp.vector(out, n) end
  return out
end

return M
