"""A realistic synthetic corpus of telecom complaint work orders, for benchmarks, tests and demos.

Eight labels as an operator's own taxonomy might have them (the five content categories and three
special types). Each text is put together the way agents write work orders: an opening about who
called, one or two sentences of the matter built from situations with slots (places, amounts,
packages, dates), sometimes a detail borrowed from a neighbouring label (a fee dispute that mentions
broadband, a repair that mentions the bill), the customer's demand and their mood. The borrowed details
and the shared openings are what keep a classifier from scoring by a single keyword.
"""

from __future__ import annotations

import random
from typing import Iterator

LABELS = ("network", "billing", "product", "service", "aftersales", "privacy", "fraud", "special_needs")

PLACES = [
    "朝阳区望京西园",
    "海淀区学院路",
    "天河区珠江新城",
    "浦东新区张江",
    "武侯区玉林小区",
    "江宁区百家湖",
    "雁塔区小寨",
    "南山区科技园",
    "西湖区文三路",
    "和平区南京路",
    "历下区泉城广场",
    "鼓楼区湖东路",
    "龙华区民治街道",
    "高新区天府三街",
    "城关镇幸福村",
    "开发区锦绣花园",
    "新城区阳光小区",
    "滨江区星光大道",
]
PACKAGES = [
    "畅享129元套餐",
    "5G智享199元套餐",
    "流量王39元卡",
    "融合套餐169元",
    "99元不限量套餐",
    "校园卡19元",
    "宽带+手机融合套餐",
    "老年卡8元套餐",
    "商务199元套餐",
    "亲情网套餐",
]
TIMES = ["昨天晚上", "今天上午", "这几天", "最近一周", "上周五", "本月初", "从上个月开始", "前天下午", "节后", "月底"]
SERVICES = ["彩铃", "视频会员", "游戏包", "来电提醒", "流量加油包", "云盘会员", "号码百事通", "短信包"]
HALLS = ["人民路营业厅", "万达店", "火车站营业厅", "大学城营业厅", "中心营业厅", "社区代理点"]
DEVICES = ["光猫", "路由器", "机顶盒", "宽带网线", "固话机", "合约机"]
AMOUNTS = ["5", "10", "15", "20", "30", "36", "49", "58", "88", "120", "200", "300"]

OPENINGS = [
    "客户来电反映：",
    "用户称",
    "客户投诉：",
    "来电人表示，",
    "客户在APP留言：",
    "用户通过公众号反映",
    "客户到厅反映，",
    "客户致电10000号称",
    "客户微博@官方账号称",
    "来信反映：",
    "",
]
DEMANDS = [
    "要求尽快处理。",
    "要求给个说法。",
    "要求退还费用并道歉。",
    "希望今天内回复。",
    "要求上门解决。",
    "要求领导回电。",
    "请尽快核实。",
    "不处理就到工信部申诉。",
    "要求书面答复。",
    "希望加急处理。",
    "",
]
MOODS = ["客户情绪激动。", "客户比较着急。", "客户态度尚可。", "客户表示非常不满。", "已多次来电。", "", ""]

SITUATIONS: dict[str, list[str]] = {
    "network": [
        "{place}手机信号很差，{time}打电话经常断线",
        "家里宽带{time}一直断网，重启{device}也没用",
        "{place}一带5G信号时有时无，网速只有几十K",
        "宽带晚上八点以后特别卡，测速不到签约速率的三分之一",
        "在{place}室内没信号，要跑到阳台才能打电话",
        "{time}通话有杂音，对方听不清，换了手机也一样",
        "{place}整个小区{time}都上不了网，邻居也一样",
        "手机显示有信号但是上不了网，流量用不了",
        "电梯和地下车库完全没有信号，物业说要运营商解决",
        "打电话总是提示不在服务区，别人打不进来",
        "看IPTV一直卡顿缓冲，画面马赛克",
        "宽带频繁掉线，一天掉十几次，影响居家办公",
    ],
    "billing": [
        "本月话费比平时多扣了{amount}元，不知道是什么费用",
        "{time}被扣了{amount}元的{service}费用，本人从未订购",
        "账单里有一笔{amount}元的流量超套费，可套餐明明还有流量",
        "已经办理停机，还在继续扣月租",
        "交了{amount}元话费一直没到账",
        "{package}降档后还是按原价收费",
        "国际漫游费用异常，出国几天扣了{amount}元",
        "宽带已拆机还在收费，每月扣{amount}元",
        "发票金额和实际缴费对不上，多开了{amount}元",
        "承诺的话费返还{amount}元到现在没返",
        "被收取了{service}的包月费，要求退费",
        "余额莫名其妙变成负数，被停机了",
    ],
    "product": [
        "想把{package}改成低档套餐，客服说要到营业厅办理",
        "携号转网一直提示不符合条件，不给办理",
        "{time}办理的{package}到现在没有生效",
        "宽带新装预约了两周还没人来装",
        "想注销副卡，系统一直办理失败",
        "营销活动说送{amount}元话费，办了以后说不符合活动规则",
        "合约期内想取消{service}，被告知不能退订",
        "{package}的权益说明和宣传的不一样，流量少了一半",
        "实名补卡要求本人到场，但本人在外地办不了",
        "APP上办理业务一直报错，提交不了",
        "套餐变更说次月生效，结果当月就变了",
        "宽带续约价格比新用户贵很多，不合理",
    ],
    "service": [
        "在{hall}办理业务，工作人员态度恶劣，爱答不理",
        "{hall}排队两个小时，只开了一个窗口",
        "打客服热线等了半小时没人接，接通后又被挂断",
        "营业员推销{package}时隐瞒了合约期",
        "{hall}工作人员说话难听，还让客户别来烦",
        "客服答应回电，结果三天都没有回复",
        "装维人员上门时态度差，抽烟还乱丢垃圾",
        "客服一问三不知，来回转接了五次",
        "营业员未经同意用客户手机办了{service}",
        "{hall}下午四点就不办业务了，和公示时间不符",
        "投诉过一次没人跟进，工单被直接关闭",
        "客服人员在电话里对客户冷嘲热讽",
    ],
    "aftersales": [
        "家里{device}坏了，报修{time}还没人上门",
        "维修师傅约好上门又放鸽子，没有任何通知",
        "换了新{device}还是老问题，修了三次都没修好",
        "宽带报障后维修人员说是客户自己的问题，要收{amount}元",
        "购买的合约机{time}出现故障，营业厅不给换",
        "{device}指示灯一直闪红灯，报修后只说等通知",
        "维修后把墙打了洞没有恢复，地上一片狼藉",
        "上门安装时把线拉得乱七八糟，要求重新整理",
        "报修单显示已完成，实际没有人来过",
        "{device}租用期满要求回收，一直没人来取",
        "故障修复承诺24小时，已经三天了",
        "维修人员索要额外材料费{amount}元",
    ],
    "privacy": [
        "刚办完{package}就接到推销电话，对方知道我的身份证号和住址",
        "怀疑营业厅把个人信息泄露了，{time}收到大量贷款推销短信",
        "有人冒用我的身份证在{hall}办了一张卡",
        "别人能查到我的通话记录，怀疑内部人员泄露",
        "我的手机号被别人拿去注册了各种账号",
        "办理宽带后，装修公司马上打电话来，说出了我的小区和门牌号",
        "收到的诈骗短信里有我的全名和套餐信息，肯定是你们泄露的",
        "营业员拍了我的身份证照片存在自己手机里",
        "没有授权就被查询了机主信息，要求说明谁查的",
        "销户后号码信息还被第三方用来发营销短信",
        "客户经理把我的联系方式给了合作商",
        "APP上能看到别人的账单，信息安全有问题",
    ],
    "fraud": [
        "接到自称客服的电话，说{package}要升级，骗走验证码后被扣了{amount}元",
        "{time}接到冒充公检法的电话，要求转账到安全账户",
        "每天接到十几个骚扰电话，都是{place}的陌生号码",
        "收到中奖短信，点了链接后手机被扣费{amount}元",
        "有人冒充营业厅工作人员上门，说要更换{device}收费",
        "被拉进刷单群，对方用你们的号码段打电话催我转账",
        "一直收到赌博网站的垃圾短信，退订也没用",
        "有人假冒客服说积分兑换，让我下载了一个APP",
        "深夜总有响一声就挂的电话，回拨后被扣费",
        "接到电话说我的卡涉嫌洗钱要停机，让我配合调查",
        "陌生号码一直发恐吓短信骚扰我家人",
        "被骗子用改号软件显示成你们的客服号码",
    ],
    "special_needs": [
        "家里老人八十多岁不会用智能手机，希望上门帮忙办理{package}",
        "本人是听障人士，希望能通过文字方式沟通处理业务",
        "视力不好看不清账单，希望提供大字版或者语音播报",
        "老人行动不便来不了{hall}，能否上门办理实名",
        "客户是残疾人，申请残疾人优惠资费",
        "父亲住院了需要保留号码暂停计费，家属代办",
        "客户只会说方言，普通话沟通困难，希望安排会说方言的客服",
        "独居老人手机欠费停机，联系不上，家属请求紧急复机",
        "孕妇行动不便，希望维修人员上门时间能固定",
        "视障用户需要读屏软件能用的APP版本",
        "老年人被推销了{package}，子女要求改回老年卡",
        "盲人客户无法自己签字，需要代签和见证",
    ],
}

# Details that belong to a neighbouring label: real work orders mention more than their matter.
CROSS_DETAILS = {
    "network": ["还被收了{amount}元的流量费。", "之前在{hall}问过也没解决。"],
    "billing": ["宽带也一直不太稳定。", "营业员当时说得很清楚不会扣费。"],
    "product": ["话费也比原来高了。", "营业厅态度也不好。"],
    "service": ["业务到现在也没办成。", "这个月还多扣了{amount}元。"],
    "aftersales": ["网速也很慢。", "客服态度也很敷衍。"],
    "privacy": ["每天都有骚扰电话。", "还被扣了{amount}元。"],
    "fraud": ["怀疑是个人信息被泄露了。", "手机信号也不好。"],
    "special_needs": ["话费也看不明白。", "{hall}排队太久了。"],
}


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        place=rng.choice(PLACES),
        package=rng.choice(PACKAGES),
        time=rng.choice(TIMES),
        service=rng.choice(SERVICES),
        hall=rng.choice(HALLS),
        device=rng.choice(DEVICES),
        amount=rng.choice(AMOUNTS),
    )


def complaint_text(rng: random.Random, label: str) -> str:
    """One work order's text for the label."""
    first, second = rng.sample(SITUATIONS[label], 2)
    parts = [rng.choice(OPENINGS) + _fill(rng, first) + "，"]
    if rng.random() < 0.45:
        parts.append("而且" + _fill(rng, second) + "。")
    else:
        parts[-1] = parts[-1][:-1] + "。"
    if rng.random() < 0.3:
        parts.append(_fill(rng, rng.choice(CROSS_DETAILS[label])))
    parts.append(rng.choice(DEMANDS))
    parts.append(rng.choice(MOODS))
    return "".join(parts)


# Labels agents confuse in real history: a text of the first filed under the second.
NEIGHBOURS = {
    "network": "aftersales",
    "aftersales": "network",
    "billing": "product",
    "product": "billing",
    "service": "product",
    "privacy": "fraud",
    "fraud": "privacy",
    "special_needs": "service",
}
MISFILED = 0.04  # share of texts written about a neighbouring label's matter: real history is never clean


def corpus(per_label: int = 300, seed: int = 19, labels: tuple[str, ...] = LABELS) -> Iterator[tuple[str, str]]:
    """Yield (text, label) pairs, per_label of each label, interleaved; the same seed gives the same corpus.

    About 4 % of each label's texts are about a neighbouring label's matter, as misfiled work orders
    are in an operator's history; a perfect classifier therefore scores about 0.96, not 1.
    """
    rng = random.Random(seed)
    for _ in range(per_label):
        for label in labels:
            written = (
                NEIGHBOURS.get(label, label) if rng.random() < MISFILED and NEIGHBOURS.get(label) in labels else label
            )
            yield complaint_text(rng, written), label
