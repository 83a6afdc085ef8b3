"""Holiday notices for the tests: a complete 2027 schedule, invented (the real one is not published yet).

Its weekdays are real and it covers all seven statutory holidays with their main days and make-up
working days, so it passes the completeness check; its days are not the State Council's.
"""

INVENTED_2027 = """\
国务院办公厅关于2027年部分节假日安排的通知（测试用虚构版本）
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（周六）放假调休，共9天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""

# The same schedule in the CSV form (one range or day per row).
INVENTED_2027_CSV = """\
date,kind,name
2027-01-01..2027-01-03,holiday,元旦
2027-02-05..2027-02-13,holiday,春节
2027-02-20,workday,春节
2027-04-03..2027-04-05,holiday,清明节
2027-05-01..2027-05-05,holiday,劳动节
2027-04-25,workday,劳动节
2027-05-08,workday,劳动节
2027-06-09,holiday,端午节
2027-09-15,holiday,中秋节
2027-10-01..2027-10-07,holiday,国庆节
2027-09-26,workday,国庆节
2027-10-09,workday,国庆节
"""
