"""What the demo history is made of: Chinese names, mainland numbers, cities, categories and
channels in realistic proportions, the matters customers write, how long each step usually takes
(median minutes, spread), the hours and weekdays complaints arrive on, and which demo user works
each group's tasks (see history.py).
"""

from __future__ import annotations

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红玉兰飞鹏辉建国峰宇浩然欣怡子轩梓涵一诺雨萱思远晨曦佳琪俊杰文博天佑"
PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "178",
    "182",
    "183",
    "184",
    "187",
    "188",
    "195",
    "198",
    "130",
    "131",
    "132",
    "155",
    "156",
    "166",
    "175",
    "176",
    "185",
    "186",
    "133",
    "153",
    "173",
    "177",
    "180",
    "181",
    "189",
    "191",
    "199",
)
CITIES = (
    "北京市朝阳区",
    "上海市浦东新区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
    "成都市武侯区",
    "武汉市洪山区",
    "南京市鼓楼区",
    "西安市雁塔区",
    "重庆市渝北区",
    "苏州市工业园区",
    "长沙市岳麓区",
    "郑州市金水区",
    "济南市历下区",
)
CATEGORIES = {"network": 0.36, "billing": 0.29, "product": 0.15, "service": 0.12, "aftersales": 0.08}
CHANNELS = {"phone": 0.52, "online": 0.27, "hall": 0.10, "social": 0.07, "letter": 0.04}
MATTERS = {
    "network": (
        "家中 5G 信号时断时续，晚上通话经常中断。",
        "宽带晚高峰网速只有签约速率的十分之一。",
        "小区停电后基站未恢复，手机一直无服务。",
        "地铁里 4G 掉线严重，视频会议频繁断开。",
        "光猫频繁掉线，报修三次仍未解决。",
    ),
    "billing": (
        "本月话费比平时多出 80 元，未订购任何增值业务。",
        "套餐内流量未用完却被收取超套餐费用。",
        "销户后仍被扣取月租。",
        "国际漫游费用与营业员介绍的不一致。",
        "宽带到期未续约却被自动续费。",
    ),
    "product": (
        "办理的合约机套餐无法变更，营业员承诺的权益未兑现。",
        "亲情号码业务无法添加副卡。",
        "携号转网被告知有未到期合约，实际没有。",
        "云盘会员取消后仍在扣费。",
        "5G 升级包开通后网络标识仍为 4G。",
    ),
    "service": (
        "营业厅排队一小时，工作人员态度冷淡。",
        "客服热线转接多次无人解决问题。",
        "营业员推销时未说明合约期限。",
        "上门装机人员迟到三小时且未提前告知。",
    ),
    "aftersales": (
        "光猫损坏报修五天无人上门。",
        "送修的手机一个月仍未返还。",
        "机顶盒更换后仍无法正常播放。",
        "宽带移机申请两周未处理。",
    ),
}
DEMANDS = (
    "尽快解决问题并给出书面说明。",
    "退还多收的费用。",
    "赔偿损失并道歉。",
    "恢复正常服务，减免当月月租。",
    "给出明确的处理时限。",
)
# usual time a step takes once ready (median minutes, spread of its log-normal)
DURATION = {
    "receive": (3, 0.5),
    "classify": (12, 0.9),
    "register": (6, 0.6),
    "supervisor_review": (45, 0.8),
    "dispatch": (25, 0.9),
    "handle": (1200, 0.9),
    "track": (300, 0.8),
    "feedback": (240, 0.9),
    "summarize": (1440, 0.8),
    "supervise": (60, 0.7),
    "escalate": (120, 0.7),
}
OFFICE_STEPS = ("dispatch", "handle", "track", "feedback", "summarize", "supervisor_review")  # done in office hours
HOUR_WEIGHT = (1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2.5, 5, 8, 9, 8.5, 6, 6.5, 8, 8.5, 8, 7, 6, 6.5, 6, 5, 3.5, 2)
WEEKDAY_WEIGHT = (1.08, 1.0, 0.98, 0.97, 1.02, 0.78, 0.68)
GROUP_USERS = {
    "agent": ("agent", "agent2"),
    "dispatcher": ("dispatcher",),
    "supervisor": ("supervisor",),
    "director": ("director",),
    "handler_network": ("network",),
    "handler_billing": ("billing",),
    "handler_product": ("product",),
    "handler_hall": ("hall",),
    "handler_aftersales": ("aftersales",),
    "handler_security": ("security",),
}
