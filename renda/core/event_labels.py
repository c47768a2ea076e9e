"""What each audit event is called in Chinese: the audit administrator reads, searches and
exports the log by these words (a search for 登录 finds the log-ins), not by the codes the
code writes. A declarative table; an event missing from it is named from its parts, and a
workflow transition by its workflow and button (core.workflow)."""

from __future__ import annotations

from typing import Any

LABELS: dict[str, str] = {
    # log-in, sessions, second factor
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "auth.lockout": "账号锁定（连续登录失败）",
    "auth.unlock": "解除账号锁定",
    "auth.session_expired": "会话超时",
    "auth.permission_denied": "越权访问被拒绝",
    "otp.verify": "动态验证码验证",
    "otp.enrol_start": "开始绑定验证器",
    "otp.enrol_confirm": "绑定验证器",
    "otp.reset": "重置双因素认证",
    "otp.backup_codes": "生成备用码",
    "otp.demo_device": "演示验证器",
    "auth.sms_code_request": "申请短信登录验证码",
    "auth.sms_code_refused": "短信登录验证码申请被拒绝",
    "auth.sms_code_failed": "短信验证码错误",
    "auth.sms_code_lockout": "手机号锁定（短信验证码连续错误）",
    "auth.sms_login": "短信验证码登录",
    # accounts
    "user.create": "新建账号",
    "user.bulk_create": "批量新建账号",
    "user.update": "修改账号",
    "user.activate": "启用或停用账号",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "user.credential_sent": "以短信向本人发送口令",
    "account_request.submit": "提交账号审批申请",
    "account_request.approve": "批准账号申请",
    "account_request.reject": "驳回账号申请",
    "accounts.office_duties_changed": "调整机构职责（最小权限）",
    "accounts.personal_duty_granted": "单独授予账号职责",
    "accounts.personal_duty_withdrawn": "收回账号的单独授权",
    # the audit log itself
    "audit.verify": "校验审计日志链",
    "audit.verify_nightly": "每晚自动校验审计日志链",
    "audit.export": "导出审计日志",
    "audit.archive": "归档早于保留期的审计日志",
    "backup.create": "备份数据库和上传文件",
    "backup.restore": "从备份恢复数据库和上传文件",
    # shared mechanisms
    "notification.send": "发送通知",
    "notification.read": "通知标为已读",
    "source.link": "记录来源关联",
    "import.start": "开始导入",
    "import.queue": "导入转入后台",
    "import.commit": "确认导入",
    "import.discard": "放弃导入",
    "import.reject": "导入文件被拒绝",
    "import.duplicate": "重复导入被拦截",
    "calendar.set_day": "设置工作日历",
    "calendar.delete_day": "删除工作日历条目",
    "calendar.import_year": "导入全年工作日历",
    "region.create": "新建行政区划",
    "organization.create": "新建机构",
    "demo.seed": "载入演示数据",
    # deputies
    "term.create": "新建届次",
    "delegation.create": "新建代表团",
    "constituency.create": "新建选区",
    "deputy.create": "新建代表",
    "deputy.create_bulk": "批量登记代表",
    "deputy.update": "修改代表信息",
    "deputy.end_mandate": "终止代表资格",
    "deputy.account_create": "为代表开通账号",
    "deputy.accounts_issue": "批量开通代表账号",
    "deputy.export": "导出代表名册",
    "membership.create": "新增任职",
    "membership.end": "结束任职",
    "duty.record": "记录履职",
    "duty.revoke": "撤销履职积分",
    "reporting.plan_create": "新建代表述职计划",
    "reporting.assign": "安排代表述职",
    "reporting.report_submit": "提交述职报告",
    "reporting.report_update": "修改述职报告",
    "reporting.evaluate": "登记述职测评结果",
    "activity.create": "新建代表小组活动",
    "activity.sign_up": "报名代表小组活动",
    "activity.cancel_sign_up": "取消报名代表小组活动",
    "activity.attendance": "登记代表小组活动出勤",
    # suggestions and motions
    "suggestion.create": "新建建议",
    "suggestion.update_draft": "修改建议草稿",
    "suggestion.invite_cosigner": "邀请附议",
    "suggestion.cosign": "附议建议",
    "suggestion.submit": "提交建议",
    "suggestion.register": "登记建议",
    "suggestion.merge": "合并建议",
    "suggestion.assign": "交办建议",
    "suggestion.return": "退回交办",
    "suggestion.co_opinion": "协办意见",
    "suggestion.note": "办理记录",
    "suggestion.attachment": "上传建议附件",
    "suggestion.reply": "答复建议",
    "suggestion.reply_scan": "上传答复函扫描件",
    "suggestion.rate": "代表评价办理结果",
    "suggestion.key_supervision": "设为重点督办",
    "suggestion.publish": "公开建议",
    "suggestion.unpublish": "撤回公开",
    "suggestion.reminders": "办理期限提醒",
    "suggestion.export": "导出建议",
    "suggestion.unit_export": "导出承办单位建议",
    "suggestion.stats_export": "导出建议统计",
    "suggestion.rankings_export": "导出履职排名",
    "suggestion.score_rule": "修改履职积分规则",
    "suggestion.sitting_create": "新建会议（议案窗口）",
    "motion.create": "新建议案",
    "motion.update_draft": "修改议案草稿",
    "motion.submit": "提交议案",
    "motion.decide": "主席团决定议案",
    # stations and opinions
    "station.create": "新建联络站",
    "station.update": "修改联络站",
    "station.photo": "上传联络站照片",
    "station.checklist": "联络站建设清单",
    "station.clerk_assign": "指定联络员",
    "station.clerk_remove": "取消联络员",
    "station.plan": "年度活动计划",
    "station.slot_create": "新建进站安排",
    "station.slot_publish": "发布进站安排",
    "station.slot_cancel": "取消进站安排",
    "station.attendance_confirm": "确认进站",
    "station.check_in": "进站签到",
    "station.check_out": "进站签退",
    "station.reception": "接待群众记录",
    "station.export": "导出联络站",
    "station.stats_export": "导出站点统计",
    "opinion.submit": "群众提交意见",
    "opinion.export": "导出社情民意",
    "opinion.rate": "评价办理结果（含验证方式）",
    "liaison.rule": "设定代表联系群众最低人数",
    "liaison.link": "安排常委会组成人员联系代表",
    "liaison.unlink": "解除常委会组成人员联系代表",
    "liaison.constituent_add": "添加代表联系群众",
    "liaison.constituent_update": "修改代表联系群众",
    "liaison.constituent_remove": "移出代表联系群众",
    "liaison.contact": "登记双联联系",
    "liaison.to_opinion": "双联联系转为群众意见",
    "liaison.to_suggestion": "双联联系转为建议草稿",
    "liaison.export": "导出双联未联系名单",
    # budget supervision
    "budget.import": "导入预算数据",
    "budget.import_start": "开始导入预算数据",
    "budget.import_duplicate": "重复的预算数据被拦截",
    "budget.api_denied": "预算接口拒绝访问",
    "budget.api_denied_repeats": "预算接口重复拒绝（汇总）",
    "budget.token_issue": "签发接口令牌",
    "budget.token_revoke": "吊销接口令牌",
    "budget.region_create": "新建预算区划",
    "budget.rule.update": "修改预警规则",
    "budget.rules.run": "运行预警规则",
    "budget.alert.agenda": "预警列入议程",
    "budget.alert.agenda_remove": "预警移出议程",
    "budget.alert.offer": "预警转给代表",
    "budget.alert.suggestion": "预警转为代表建议",
    "budget.inquiry.create": "新建问询函",
    "budget.inquiry.edit": "修改问询函草稿",
    "budget.inquiry.respond": "答复问询函",
    "budget.inquiry.remind": "问询函催办",
    "budget.inquiry.agenda": "问询函提请常委会专题询问",
    "budget.inquiry.agenda_remove": "问询函撤销提请专题询问",
    "budget.bigscreen_pass": "大屏通行证",
    "budget.export.request": "申请后台导出预算数据",
    "budget.export.inline": "导出预算数据",
    "budget.export.download": "下载导出的预算数据",
    "budget.export.fail": "预算数据导出失败",
    # meetings
    "exam.topic_create": "新增考试知识点",
    "exam.topic_edit": "修改考试知识点",
    "exam.question_create": "新建试题",
    "exam.question_edit": "修改试题（新版本）",
    "exam.question_ready": "试题设为可用",
    "exam.question_retire": "停用试题",
    "exam.question_restore": "恢复试题",
    "exam.question_view": "查看试题",
    "exam.bank_list_view": "查看题库列表",
    "exam.bank_import": "导入试题文件",
    "exam.bank_import_refused": "试题文件校验未通过",
    "exam.bank_export": "导出题库",
    "exam.blueprint_create": "新建组卷规则",
    "exam.blueprint_edit": "修改组卷规则",
    "exam.papers_generate": "生成考生试卷",
    "exam.forms_generate": "生成平行卷（A/B卷）",
    "exam.lot_draw": "平行卷抽签",
    "exam.sitting_create": "新建考试场次",
    "exam.sitting_edit": "修改考试场次",
    "exam.sitting_password": "重新生成考场口令",
    "exam.enrol": "考生报名（加入考试名单）",
    "exam.slip_view": "查看或打印准考证",
    "exam.attempt_start": "考生开始作答",
    "exam.attempt_refused": "考生开考被拒绝",
    "exam.attempt_submit": "交卷（考生交卷或到时自动交卷）",
    "exam.attempt_extend": "监考延长考生作答时间",
    "exam.answer_refused": "超时作答被拒绝",
    "exam.answer_mark": "阅卷人评阅简答题（盲评）",
    "exam.results_release": "发布考试成绩",
    "exam.attempt_regrade": "更正答案后重新评分（考生成绩变化）",
    "exam.regrade": "更正答案后重新评分（整场）",
    "exam.result_view": "查看或导出成绩单",
    "meeting.create": "新建会议",
    "meeting.invite": "邀请列席",
    "meeting.agenda_add": "列入会议议程",
    "meeting.agenda_remove": "移出会议议程",
    "meeting.outcome": "登记议题结果",
    # livelihood (民生实事票决)
    "livelihood.project_create": "登记民生实事项目",
    "livelihood.list_create": "新建民生实事候选项目名单",
    "livelihood.candidate_add": "加入候选项目",
    "livelihood.candidate_remove": "移出候选项目",
    "livelihood.list_seats": "修改民生实事应选数",
    "livelihood.list_confirm": "登记主席团确认候选项目名单",
    "livelihood.vote_create": "民生实事项目付票决",
    "livelihood.vote_rules": "修改票决计票规则",
    "livelihood.round_open": "开始票决（冻结名单、规则和投票名单）",
    "livelihood.round_close": "结束票决投票（封存票箱）",
    "livelihood.round_count": "票决计票",
    "livelihood.ballot_cast": "代表投票（不含选票内容）",
    "livelihood.paper_counts": "录入票决纸质计票",
    "livelihood.call_create": "新建民生实事项目征集公告",
    "livelihood.call_publish": "发布民生实事项目征集公告",
    "livelihood.call_close": "结束民生实事项目征集",
    "livelihood.proposal_submit": "收到民生实事项目建议",
    "livelihood.proposal_merge": "合并重复的民生实事项目建议",
    "livelihood.proposal_carry": "储备项目转入新一年征集",
    "livelihood.proposal_review": "民生实事项目建议审查（可行性、负面清单）",
    "livelihood.list_build": "由审查通过的项目建议生成候选项目名单",
    "livelihood.reserve_not_chosen": "未获选候选项目列入储备库",
    "livelihood.satisfaction_create": "民生实事项目满意度测评列入会议议程",
    "livelihood.rectification_open": "测评不满意的民生实事项目交付整改",
    "livelihood.rectification_reply": "整改单位报送整改情况",
    "livelihood.rectification_deadline": "调整民生实事项目整改期限",
    "meeting.notify": "发出会议通知",
    "meeting.notice_read": "阅读会议通知",
    "meeting.respond": "答复会议通知",
    "meeting.leave_decide": "审批会议请假",
    "meeting.check_in": "会议签到",
    "documents.publish": "发布知情知政文件",
    "documents.update": "修改知情知政文件",
    "documents.withdraw": "撤回知情知政文件",
    "documents.read": "阅读知情知政文件",
    "documents.preview": "在线预览知情知政文件",
    "documents.download": "下载知情知政文件",
    "documents.report_export": "导出文件阅读情况",
}

DOMAINS: dict[str, str] = {
    "auth": "登录",
    "otp": "双因素认证",
    "user": "账号",
    "audit": "审计日志",
    "notification": "通知",
    "source": "来源关联",
    "import": "导入",
    "calendar": "工作日历",
    "region": "行政区划",
    "organization": "机构",
    "demo": "演示数据",
    "term": "届次",
    "delegation": "代表团",
    "constituency": "选区",
    "deputy": "代表",
    "membership": "任职",
    "duty": "履职",
    "reporting": "代表述职",
    "activity": "代表小组活动",
    "suggestion": "建议",
    "motion": "议案",
    "station": "联络站",
    "opinion": "社情民意",
    "liaison": "双联",
    "budget": "预算监督",
    "workflow": "流程",
    "meeting": "会议",
    "livelihood": "民生实事票决",
    "documents": "知情知政",
}

DETAIL_KEYS: dict[str, str] = {
    "path": "路径",
    "method": "请求方法",
    "reason": "原因",
    "checked": "已校验条数",
    "broken_id": "断裂记录",
    "filters": "筛选条件",
    "count": "数量",
    "title": "标题",
    "recipients": "收件人数",
    "email": "邮件",
    "sms": "短信",
    "kind": "类别",
    "source": "来源",
    "suggestion": "建议",
    "from": "原状态",
    "to": "新状态",
    "note": "说明",
    "rows": "行数",
    "file": "文件",
    "by_number": "按号码查询",
    "rating": "评价",
    "auth": "验证方式",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "present": "出席",
    "leave": "请假",
    "absent": "缺席",
    "response": "回执",
    "approve": "准假",
}


def event_label(action: str) -> str:
    """The Chinese name of an audit event code."""
    if action in LABELS:
        return LABELS[action]
    parts = action.split(".")
    if parts[0] == "workflow" and len(parts) == 3:
        return _workflow_label(parts[1], parts[2])
    domain = DOMAINS.get(parts[0])
    return f"{domain}：{'.'.join(parts[1:])}" if domain and len(parts) > 1 else action


def _workflow_label(code: str, transition: str) -> str:
    from . import workflow

    try:
        wf = workflow.get(code)
    except LookupError:
        return f"流程 {code}：{transition}"
    step = wf.transition(transition)
    return f"{wf.name}：{step.label if step else transition}"


def actions_matching(text: str) -> list[str]:
    """The event codes whose Chinese name contains `text` (for the log's search box)."""
    return [code for code, label in LABELS.items() if text in label]


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_KEYS.get(k, k)}={_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(_value(v) for v in value)
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "" if value is None else str(value)


def readable_details(details: dict[str, Any] | None) -> str:
    """An event's details as readable key–value text: 路径：/budget/；请求方法：GET."""
    if not details:
        return ""
    return "；".join(f"{DETAIL_KEYS.get(k, k)}：{_value(v)}" for k, v in details.items())
