//! Languages and the message catalogue. zh-CN is the default; English is the switch. Every
//! user-visible string (pages, API errors, import reports) is a key here, so the two languages
//! cannot drift apart silently: `tr` falls back to the key itself, which tests catch.
//!
//! A plain table rather than Fluent/gettext: the catalogue is small, compiled in, and needs no
//! plural rules for Chinese.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a request: the `lang` cookie if set, else the first known language in
    /// `Accept-Language`, else Chinese.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = cookie.and_then(Lang::parse) {
            return l;
        }
        accept_language
            .into_iter()
            .flat_map(|h| h.split(','))
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }
}

/// The message for `key` in `lang`; the key itself when it is unknown.
pub fn tr(lang: Lang, key: &str) -> &str {
    match entry(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => key,
    }
}

pub fn is_known(key: &str) -> bool {
    entry(key).is_some()
}

fn entry(key: &str) -> Option<(&'static str, &'static str)> {
    CATALOGUE
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| (*zh, *en))
}

const CATALOGUE: &[(&str, &str, &str)] = &[
    (
        "ap.search_hint",
        "办件编号或事项名称",
        "Application number or matter name",
    ),
    (
        "ap.st.supplement",
        "补正中（暂停计时）",
        "Awaiting supplement (clock paused)",
    ),
    (
        "ap.st.special",
        "特别程序中（暂停计时）",
        "Special procedure (clock paused)",
    ),
    (
        "ap.resume_special",
        "特别程序已结束，恢复审批",
        "Special procedure over: resume",
    ),
    (
        "ap.act.special",
        "启动特别程序",
        "Start a special procedure",
    ),
    ("ap.procedure", "特别程序", "Special procedure"),
    (
        "ap.procedure_hint",
        "特别程序所需时间不计入办理时限，结束后请点击“恢复办理”。",
        "Time spent in a special procedure does not count against the limits; resume when it ends.",
    ),
    ("ap.proc.hearing", "听证", "Hearing"),
    ("ap.proc.expert_review", "专家评审", "Expert review"),
    (
        "ap.proc.inspection",
        "检验检测鉴定",
        "Inspection and testing",
    ),
    ("ap.proc.public_notice", "公示", "Public notice"),
    ("ap.proc.other", "其他特别程序", "Other special procedure"),
    (
        "ap.paused_special",
        "{}进行中，计时暂停。",
        "{} under way; the clock is paused.",
    ),
    (
        "audit.approval.special",
        "启动特别程序",
        "Special procedure started",
    ),
    ("wf.step_name", "环节名称", "Step name"),
    ("wf.step_key", "环节标识", "Step key"),
    ("wf.designer", "审批流程定制", "Workflow designer"),
    ("wf.publish", "发布此流程", "Publish this workflow"),
    (
        "wf.is_draft",
        "以下为尚未发布的流程草稿；发布后新进件按新流程办理，在办件仍按原流程。",
        "An unpublished draft: once published, new applications follow it; running ones keep theirs.",
    ),
    (
        "wf.from_current",
        "当前显示已发布的流程；修改后将生成新的草稿版本。",
        "The published workflow; a change starts a new draft version.",
    ),
    ("wf.steps", "办理环节", "Steps"),
    ("wf.actors", "办理人", "Who acts"),
    ("wf.limit", "时限", "Limit"),
    (
        "wf.limit_days",
        "环节时限（工作日）",
        "Step limit (working days)",
    ),
    ("wf.add_step", "添加环节", "Add a step"),
    ("wf.party", "办理方 {}", "Party {}"),
    ("wf.none", "（不设）", "(none)"),
    (
        "wf.users",
        "或指定人员（用户名，逗号分隔）",
        "Or named people (usernames, comma-separated)",
    ),
    (
        "wf.countersign_all",
        "会签：各方均须通过",
        "Countersign: every party must pass",
    ),
    ("wf.actions", "允许的操作", "Allowed actions"),
    (
        "wf.at.application_street",
        "申请所在街道",
        "Applicant's street",
    ),
    (
        "wf.at.application_community",
        "申请所在社区",
        "Applicant's community",
    ),
    ("wf.at.owning_department", "实施部门", "Owning department"),
    ("audit.approval.overdue", "环节超期", "Step overdue"),
    ("nav.supervise", "办件督办", "Supervision"),
    ("timing.finished", "已办结", "Finished"),
    ("ap.unit", "受理地", "Filed at"),
    ("ap.status", "办件状态", "Status"),
    ("nav.inbox", "待办", "Inbox"),
    ("timing.ok", "正常", "On time"),
    ("timing.warning", "即将到期", "Due soon"),
    ("timing.overdue", "已超期", "Overdue"),
    ("timing.paused", "暂停计时", "Clock paused"),
    ("ap.reference", "办件编号", "Case number"),
    ("ap.step", "环节", "Step"),
    ("ap.due", "办理时限", "Due"),
    ("ap.timing", "时限状态", "Deadline"),
    ("ap.claimed", "认领人", "Claimed by"),
    ("ap.empty", "没有待办任务。", "Nothing waiting for you."),
    ("ap.st.running", "审批中", "In progress"),
    ("ap.st.paused", "暂停计时", "Clock paused"),
    ("ap.st.approved", "已批准", "Approved"),
    ("ap.st.rejected", "不予批准", "Rejected"),
    (
        "ap.paused_for",
        "等待申请人补正：{}",
        "Waiting for the applicant to supplement: {}",
    ),
    ("ap.tasks", "办理环节", "Tasks"),
    ("ap.state", "状态", "State"),
    ("ap.by", "办理人", "By"),
    ("ap.opinion", "办理意见", "Opinion"),
    ("ap.task.open", "待办", "Open"),
    ("ap.task.done", "已办", "Done"),
    ("ap.task.cancelled", "已撤销", "Cancelled"),
    ("ap.act.pass", "通过", "Pass"),
    ("ap.act.reject", "不予批准", "Reject"),
    ("ap.act.supplement", "要求补正", "Request supplement"),
    ("ap.act.send_back", "退回上一环节", "Send back"),
    ("ap.act.transfer", "转办", "Transfer"),
    ("ap.act_on", "办理：{}", "Act: {}"),
    ("ap.action", "操作", "Action"),
    (
        "ap.transfer_to",
        "转办给（用户名）",
        "Transfer to (username)",
    ),
    ("ap.transfer_hint", "仅转办时填写", "Only for a transfer"),
    ("ap.submit", "提交", "Submit"),
    ("ap.attach", "附件", "Attachments"),
    (
        "ap.attach_hint",
        "可选，最多 10 个：PDF、图片、Word/Excel 或压缩包，每个不超过 10 MB。",
        "Optional, up to 10: PDF, images, Word/Excel or ZIP, at most 10 MB each.",
    ),
    ("ap.attachments", "办理附件", "Attached files"),
    (
        "ap.resume",
        "补正材料已收到，恢复审批",
        "Supplement received: resume",
    ),
    ("ap.history", "办理过程", "History"),
    ("ap.started", "开始时间", "Started"),
    ("ap.due_all", "承诺办结时间", "Promised by"),
    ("ap.finished", "办结时间", "Finished"),
    (
        "err.wf_no_unit",
        "流程环节指定的机构不存在。",
        "A unit the workflow names does not exist.",
    ),
    (
        "err.task_taken",
        "该任务已被他人处理或认领，请刷新。",
        "Someone else has taken or finished this task; reload.",
    ),
    (
        "err.action_not_allowed",
        "此环节不允许该操作。",
        "This step does not allow that action.",
    ),
    (
        "err.approval_not_running",
        "该办件当前不在审批中（已暂停或已办结）。",
        "This application is not running (paused or finished).",
    ),
    (
        "err.approval_not_paused",
        "该办件没有暂停。",
        "This application is not paused.",
    ),
    (
        "field.user_unknown",
        "没有在用的账号“{}”。",
        "No active account “{}”.",
    ),
    ("audit.approval.start", "办件进入审批", "Approval started"),
    ("audit.approval.pass", "审批通过", "Passed"),
    ("audit.approval.reject", "不予批准", "Rejected"),
    ("audit.approval.send_back", "退回上一环节", "Sent back"),
    ("audit.approval.transfer", "转办", "Transferred"),
    (
        "audit.approval.supplement",
        "要求补正",
        "Supplement requested",
    ),
    (
        "audit.approval.resume",
        "恢复审批，继续计时",
        "Resumed; the clock runs again",
    ),
    (
        "hall.workflow_alt",
        "审批流程图",
        "Approval workflow diagram",
    ),
    ("cat.workflow", "审批流程", "Approval workflow"),
    (
        "cat.no_workflow",
        "尚未发布审批流程。",
        "No approval workflow published yet.",
    ),
    ("audit.workflow.edit", "编辑审批流程", "Workflow edited"),
    (
        "audit.workflow.publish",
        "发布审批流程",
        "Workflow published",
    ),
    ("wf.at_street", "所在街道", "Applicant's street"),
    ("wf.at_community", "所在社区", "Applicant's community"),
    ("wf.at_department", "实施部门", "Owning department"),
    ("wf.countersign", "会签", "Countersign"),
    (
        "wf.no_steps",
        "流程至少需要一个环节。",
        "A workflow needs at least one step.",
    ),
    (
        "wf.bad_key",
        "环节标识“{}”为空、重复或含有小写字母、数字、下划线以外的字符。",
        "Step key “{}” is empty, repeated, or not lowercase letters, digits and underscores.",
    ),
    (
        "wf.no_actors",
        "环节“{}”没有指定办理人。",
        "Step “{}” has nobody to act.",
    ),
    (
        "wf.countersign_two",
        "会签环节“{}”至少需要两方。",
        "Countersign step “{}” needs at least two parties.",
    ),
    (
        "wf.needs_pass",
        "环节“{}”必须允许“通过”。",
        "Step “{}” must allow passing.",
    ),
    (
        "wf.first_send_back",
        "第一个环节“{}”不能退回上一环节。",
        "The first step “{}” cannot send back.",
    ),
    (
        "wf.over_promised",
        "各环节时限之和超过承诺时限（{} 个工作日）。",
        "The steps' limits add up to more than the promised limit ({} working days).",
    ),
    (
        "err.wf_no_draft",
        "没有待发布的流程草稿。",
        "There is no workflow draft to publish.",
    ),
    ("hall.form_check", "检查填写内容", "Check my answers"),
    (
        "hall.form_ok",
        "填写内容符合要求。",
        "Your answers meet the requirements.",
    ),
    (
        "err.matter_unknown",
        "目录中没有事项“{}”；新事项请用上报文件（JSON）导入。",
        "No matter “{}” in the catalog; add new matters with the JSON file.",
    ),
    ("nav.calendar", "工作日历", "Calendar"),
    ("cal.holiday", "法定节假日", "Holiday"),
    ("cal.workday", "调休上班", "Make-up working day"),
    ("cal.weekend", "周末", "Weekend"),
    ("cal.normal", "恢复为普通日", "Ordinary day"),
    (
        "cal.count",
        "全年共 {} 个工作日",
        "{} working days in the year",
    ),
    (
        "cal.exceptions",
        "节假日与调休安排",
        "Holidays and make-up days",
    ),
    (
        "cal.none",
        "本年尚未录入节假日安排。",
        "No schedule entered for this year yet.",
    ),
    ("cal.edit", "录入或修改", "Enter or change a day"),
    ("cal.date", "日期", "Date"),
    ("cal.kind", "类型", "Kind"),
    ("cal.name", "名称", "Name"),
    ("aud.group.matter.", "事项", "Matters"),
    ("aud.group.calendar.", "工作日历", "Calendar"),
    (
        "err.not_a_hall",
        "只能为服务大厅设置办公时间。",
        "Working hours belong to service halls.",
    ),
    (
        "field.hours",
        "办公时间格式应为 09:00-12:00,14:00-18:00，时段按先后且不重叠。",
        "Hours look like 09:00-12:00,14:00-18:00, in order and not overlapping.",
    ),
    (
        "audit.calendar.set",
        "修改节假日安排",
        "Calendar day changed",
    ),
    (
        "audit.calendar.hours",
        "修改办公时间",
        "Working hours changed",
    ),
    ("audit.matter.create", "新建事项", "Matter created"),
    ("audit.matter.edit", "编辑事项草稿", "Matter draft edited"),
    ("audit.matter.submit", "提交事项审核", "Matter submitted"),
    ("audit.matter.reject", "退回事项", "Matter sent back"),
    ("audit.matter.publish", "发布事项", "Matter published"),
    ("audit.matter.suspend", "暂停事项", "Matter suspended"),
    ("audit.matter.resume", "恢复事项", "Matter resumed"),
    ("audit.matter.retire", "取消事项", "Matter retired"),
    (
        "audit.matter.configure",
        "配置事项办理范围",
        "Matter switched for a unit",
    ),
    ("audit.matter.import", "导入事项", "Matter imported"),
    ("cat.import", "导入事项目录", "Import the catalog"),
    (
        "cat.import_file",
        "目录文件（JSON 上报文件或 Excel 表）",
        "Catalog file (JSON, or the Excel sheet)",
    ),
    (
        "cat.import_hint",
        "“导出上报文件”得到的格式；先试导入查看每个事项的改动。",
        "The format of “Export for the province”; try a dry run first to see each change.",
    ),
    (
        "cat.import_bad",
        "有 {} 处错误，未导入任何事项。",
        "{} problems found; nothing was imported.",
    ),
    (
        "cat.import_done",
        "已导入，新增或修改的事项已发布为新版本。",
        "Imported; added and changed matters are published as new versions.",
    ),
    (
        "cat.import_dry_ok",
        "试导入通过，尚未写入。取消勾选“仅试导入”后再次上传即可导入。",
        "Dry run passed; nothing written yet. Upload again without “dry run” to import.",
    ),
    ("cat.change", "变化", "Change"),
    ("cat.ch.added", "新增", "Added"),
    ("cat.ch.changed", "修改", "Changed"),
    (
        "cat.nothing_changes",
        "与当前目录相同，没有改动。",
        "Same as the current catalog; nothing changes.",
    ),
    ("cat.group", "分组", "Group"),
    ("cat.where_served", "办理范围配置", "Where it is served"),
    (
        "cat.where_hint",
        "默认按事项的行使层级开通；可逐个区、街道、社区开启或关闭，其下的服务大厅随之生效。",
        "By default a matter is served at the levels it declares; switch it on or off per district, street or community, and their halls follow.",
    ),
    ("cat.on", "开通", "On"),
    ("cat.off", "未开通", "Off"),
    ("cat.explicit", "（单独设置）", "(set here)"),
    ("cat.turn_on", "开通", "Switch on"),
    ("cat.turn_off", "关闭", "Switch off"),
    ("nav.catalog", "事项管理", "Matters"),
    ("cat.export_json", "导出上报文件", "Export for the province"),
    ("cat.status", "状态", "Status"),
    ("cat.st.unpublished", "未发布", "Unpublished"),
    ("cat.st.published", "已发布", "Published"),
    ("cat.st.suspended", "已暂停", "Suspended"),
    ("cat.st.retired", "已取消", "Retired"),
    ("cat.ds.editing", "草稿编辑中", "Draft being edited"),
    ("cat.ds.in_review", "待审核", "Awaiting review"),
    ("cat.name", "事项名称", "Name"),
    ("cat.draft", "草稿", "Draft"),
    ("cat.version", "当前版本", "Version"),
    ("cat.new", "新建事项", "New matter"),
    ("cat.kind", "事项类型", "Type"),
    ("cat.class", "事项分类", "Class"),
    ("cat.article", "条款内容", "Article"),
    ("cat.view_public", "查看公开页面", "See the public page"),
    ("cat.edit_guide", "编辑办事指南", "Edit the guide"),
    ("cat.design_form", "设计申请表", "Design the form"),
    ("cat.actions", "流转操作", "Life cycle"),
    ("cat.submit", "提交审核", "Submit for review"),
    ("cat.publish", "审核通过并发布", "Approve and publish"),
    ("cat.reject", "退回修改", "Send back"),
    ("cat.reject_reason", "退回理由", "Reason"),
    ("cat.suspend", "暂停办理", "Suspend"),
    ("cat.resume", "恢复办理", "Resume"),
    ("cat.retire", "取消事项", "Retire"),
    (
        "cat.retire_confirm",
        "取消后不能再编辑和办理，确定吗？",
        "A retired matter can no longer be edited or applied for. Continue?",
    ),
    (
        "cat.pending_changes",
        "草稿相对已发布版本的修改",
        "Draft changes against the published version",
    ),
    ("cat.field", "字段", "Field"),
    ("cat.versions", "已发布版本", "Published versions"),
    ("cat.diff", "比较", "Compare"),
    ("cat.never_published", "尚未发布。", "Never published."),
    ("cat.form_fields", "申请表字段", "Form fields"),
    ("cat.shown_if", "当 {} 时显示", "shown when {}"),
    ("cat.field_label", "字段名称", "Label"),
    ("cat.field_key", "字段标识", "Key"),
    ("cat.field_kind", "字段类型", "Kind"),
    ("cat.rules", "规则", "Rules"),
    ("cat.f_up", "上移", "Up"),
    ("cat.f_down", "下移", "Down"),
    ("cat.f_delete", "删除", "Remove"),
    ("cat.add_field", "添加字段", "Add field"),
    ("cat.options", "选项", "Options"),
    (
        "cat.options_hint",
        "选择题每行一个选项；表格每行一列，写作 标识:名称:类型。",
        "One option per line; for a table one column per line as key:label:kind.",
    ),
    (
        "cat.show_if_field",
        "显示条件：当字段",
        "Show only when field",
    ),
    ("cat.show_if_value", "等于", "equals"),
    ("cat.always", "（始终显示）", "(always shown)"),
    (
        "cat.material",
        "对应申请材料（上传项）",
        "Material (for uploads)",
    ),
    (
        "cat.pattern",
        "格式规则（正则表达式）",
        "Pattern (regular expression)",
    ),
    ("cat.min", "最小值/最少", "Minimum"),
    ("cat.max", "最大值/最多行数", "Maximum / most rows"),
    ("cat.hint", "填写提示", "Hint"),
    ("cat.preview", "预览", "Preview"),
    ("cat.guide_json", "办事指南内容", "Guide content"),
    (
        "cat.guide_json_hint",
        "受理条件、申请材料、办理流程、时限、收费、网办深度等，按结构化格式编辑；提交审核时逐项检查。",
        "Conditions, materials, steps, limits, fees, online depth and more, in structured form; checked item by item on submission.",
    ),
    (
        "cat.bad_json",
        "办事指南内容格式有误：",
        "The guide content is malformed: ",
    ),
    ("card.catalog_admin.title", "事项管理", "Matters"),
    (
        "card.catalog_admin.body",
        "编辑办事指南、设计申请表、审核发布事项。",
        "Edit guides, design forms, review and publish matters.",
    ),
    ("fk.text", "单行文本", "Text"),
    ("fk.long_text", "多行文本", "Long text"),
    ("fk.number", "数字", "Number"),
    ("fk.money", "金额", "Money"),
    ("fk.date", "日期", "Date"),
    ("fk.date_range", "日期区间", "Date range"),
    ("fk.select", "单选", "Select"),
    ("fk.multi_select", "多选", "Multi-select"),
    ("fk.yes_no", "是/否", "Yes/no"),
    ("fk.phone", "电话", "Phone"),
    ("fk.email", "电子邮箱", "E-mail"),
    ("fk.resident_id", "居民身份证号", "Resident ID number"),
    ("fk.credit_code", "统一社会信用代码", "Credit code"),
    ("fk.address", "地址", "Address"),
    ("fk.file", "上传材料", "Upload"),
    ("fk.table", "表格（可多行）", "Table (repeating)"),
    ("hall.title", "网上办事大厅", "Online service hall"),
    ("hall.search", "搜索事项", "Find a service"),
    (
        "hall.search_hint",
        "输入事项名称、关键词或拼音首字母，如“生育登记”或“sydj”",
        "A service name, keywords, or pinyin initials such as “sydj”",
    ),
    (
        "hall.count",
        "本区共有 {} 个事项可以查询办理。",
        "{} services are available in the district.",
    ),
    ("hall.personal", "个人办事", "For individuals"),
    (
        "hall.personal_body",
        "生育、就业、社保、救助、婚姻等个人事项。",
        "Births, jobs, insurance, assistance, marriage and more.",
    ),
    ("hall.enterprise", "法人办事", "For companies"),
    (
        "hall.enterprise_body",
        "开办企业、经营许可、工程建设等法人事项。",
        "Starting a business, licences, construction and more.",
    ),
    ("hall.online", "全程网办", "Fully online"),
    (
        "hall.online_body",
        "无需到现场即可办结的事项。",
        "Services you can finish without a visit.",
    ),
    ("hall.themes", "按主题", "By life event"),
    ("hall.departments", "按部门", "By department"),
    ("hall.audience", "服务对象", "For"),
    ("hall.aud.personal", "个人", "Individuals"),
    ("hall.aud.enterprise", "法人", "Companies"),
    ("hall.level", "办理层级", "Level"),
    ("hall.department", "实施部门", "Department"),
    ("hall.depth", "网办深度", "Online depth"),
    ("hall.depth_at_least", "{} 级及以上", "Level {} or more"),
    ("hall.results", "找到 {} 个事项", "{} services found"),
    (
        "hall.no_results",
        "没有找到相关事项，请换个说法或拼音首字母再试。",
        "Nothing found; try other words or pinyin initials.",
    ),
    ("hall.apply_online", "在线办理", "Apply online"),
    ("hall.case1", "即办件", "On the spot"),
    ("hall.case2", "承诺件", "Promised"),
    ("hall.code", "事项编码", "Code"),
    ("hall.version", "第 {} 版", "version {}"),
    ("hall.basic", "基本信息", "At a glance"),
    ("hall.legal_limit", "法定办结时限", "Legal time limit"),
    ("hall.promised_limit", "承诺办结时限", "Promised time limit"),
    ("hall.days", "{} 个工作日", "{} working days"),
    ("hall.immediate", "即办", "On the spot"),
    ("hall.fees", "收费", "Fees"),
    ("hall.free", "不收费", "Free of charge"),
    ("hall.yuan", "元", "yuan"),
    ("hall.visits", "到办事现场次数", "Visits needed"),
    ("hall.result", "办理结果", "You receive"),
    ("hall.basis", "设定依据", "Legal basis"),
    ("hall.conditions", "受理条件", "Who can apply"),
    ("hall.materials", "申请材料", "What to bring"),
    ("hall.material", "材料名称", "Material"),
    ("hall.material_form", "材料形式", "Form"),
    ("hall.copies", "份数", "Copies"),
    ("hall.required", "是否必需", "Required"),
    ("hall.required_yes", "必需", "Required"),
    ("hall.required_cond", "视情况提供", "When applicable"),
    ("hall.template", "空白表格/样表", "Template"),
    ("hall.steps", "办理流程", "Steps"),
    ("hall.where", "可在以下大厅办理", "Where you can go"),
    (
        "hall.nowhere",
        "暂无可办理的大厅。",
        "No hall offers it at the moment.",
    ),
    ("hall.counters", "办理窗口", "Counters"),
    ("hall.hours", "办理时间", "Hours"),
    ("hall.channels", "办理渠道", "Channels"),
    ("hall.consult", "咨询电话", "Questions"),
    ("hall.complaint", "投诉电话", "Complaints"),
    ("hall.faq", "常见问题", "Questions people ask"),
    ("hall.form_preview", "申请表", "Application form"),
    (
        "hall.form_preview_hint",
        "以下为网上申请需要填写的内容；在线提交将随办件系统开放。",
        "What the online application asks for; online submission opens with the applications system.",
    ),
    ("ui.print", "打印", "Print"),
    ("ui.from", "起", "From"),
    ("ui.to", "止", "To"),
    ("form.address_detail", "街道门牌号", "Street address"),
    (
        "form.address_unit",
        "选择所在街道/社区",
        "Choose the street or community",
    ),
    ("depth.1", "一级·网上咨询", "Level 1 · guide online"),
    ("depth.2", "二级·网上预约", "Level 2 · book online"),
    ("depth.3", "三级·网上申请", "Level 3 · apply online"),
    ("depth.4", "四级·全程网办", "Level 4 · fully online"),
    ("mtype.licensing", "行政许可", "Licensing"),
    ("mtype.confirmation", "行政确认", "Confirmation"),
    ("mtype.adjudication", "行政裁决", "Adjudication"),
    ("mtype.benefit", "行政给付", "Benefit"),
    ("mtype.reward", "行政奖励", "Reward"),
    ("mtype.filing", "行政备案", "Filing"),
    ("mtype.inspection", "行政检查", "Inspection"),
    ("mtype.other_power", "其他行政权力", "Other power"),
    ("mtype.public_service", "公共服务", "Public service"),
    ("mform.original", "原件", "Original"),
    ("mform.copy", "复印件", "Copy"),
    (
        "mform.original_and_copy",
        "原件和复印件",
        "Original and copy",
    ),
    ("mform.electronic", "电子材料", "Electronic"),
    (
        "err.matter_code_taken",
        "该事项编码已存在。",
        "That matter code already exists.",
    ),
    (
        "err.matter_retired",
        "该事项已取消，不能再修改。",
        "That matter is retired and cannot be changed.",
    ),
    (
        "err.matter_code_fixed",
        "事项编码不能修改。",
        "A matter's code cannot be changed.",
    ),
    (
        "err.no_draft",
        "没有待提交的草稿。",
        "There is no draft to submit.",
    ),
    (
        "err.matter_state",
        "事项当前状态不允许此操作，可能已被他人处理，请刷新。",
        "The matter's state does not allow this; someone may have acted on it already. Reload.",
    ),
    (
        "err.not_a_level",
        "只能按区、街道或社区配置事项。",
        "Matters are configured per district, street or community.",
    ),
    (
        "err.catalog_format",
        "文件格式不是 {}。",
        "The file is not in the {} format.",
    ),
    (
        "field.id_length",
        "号码应为 18 位。",
        "The number must have 18 characters.",
    ),
    (
        "field.id_chars",
        "号码含有不允许的字符。",
        "The number contains characters that are not allowed.",
    ),
    (
        "field.id_birth",
        "身份证号中的出生日期不存在。",
        "The birth date in the ID number does not exist.",
    ),
    (
        "field.id_check",
        "校验位不正确，请核对号码。",
        "The check digit is wrong; please check the number.",
    ),
    ("field.type", "格式不正确。", "Wrong format."),
    ("field.number", "请输入数字。", "Enter a number."),
    (
        "field.money",
        "请输入不小于 0、最多两位小数的金额。",
        "Enter an amount of at least 0 with at most two decimals.",
    ),
    ("field.min", "不能小于 {}。", "Must be at least {}."),
    ("field.max", "不能大于 {}。", "Must be at most {}."),
    ("field.max_rows", "最多 {} 行。", "At most {} rows."),
    (
        "field.too_short",
        "至少 {} 个字符。",
        "At least {} characters.",
    ),
    (
        "field.pattern",
        "格式不符合要求。",
        "Does not match the required format.",
    ),
    (
        "field.date",
        "请输入有效日期（年-月-日）。",
        "Enter a valid date (YYYY-MM-DD).",
    ),
    (
        "field.date_order",
        "结束日期不能早于开始日期。",
        "The end date cannot be before the start date.",
    ),
    (
        "field.option",
        "“{}”不是可选项。",
        "“{}” is not one of the options.",
    ),
    (
        "field.address",
        "请选择所在社区并填写详细地址。",
        "Choose the community and give the street address.",
    ),
    (
        "form.bad_key",
        "字段标识“{}”只能用小写字母、数字和下划线，并以字母开头。",
        "Field key “{}” must be lowercase letters, digits and underscores, starting with a letter.",
    ),
    (
        "form.duplicate_key",
        "字段标识“{}”重复。",
        "Field key “{}” is used twice.",
    ),
    (
        "form.no_label",
        "字段需要名称。",
        "The field needs a label.",
    ),
    (
        "form.no_options",
        "选择题“{}”需要选项。",
        "Choice field “{}” needs options.",
    ),
    (
        "form.no_material",
        "上传项“{}”须对应办事指南中的一项材料。",
        "Upload slot “{}” must refer to a material of the guide.",
    ),
    (
        "form.no_columns",
        "表格“{}”需要列。",
        "Table “{}” needs columns.",
    ),
    (
        "form.nested_table",
        "表格“{}”中不能再嵌套表格。",
        "Table “{}” cannot contain another table.",
    ),
    (
        "form.bad_pattern",
        "格式规则“{}”无效。",
        "The pattern “{}” is not valid.",
    ),
    (
        "form.min_over_max",
        "“{}”的最小值大于最大值。",
        "“{}” has a minimum above its maximum.",
    ),
    (
        "form.bad_show_if",
        "显示条件引用的字段“{}”不存在或在其后。",
        "The show-if condition refers to “{}”, which does not exist or comes later.",
    ),
    (
        "rule.code",
        "事项编码应为 6–50 位字母、数字或连字符。",
        "Matter codes are 6–50 letters, digits or hyphens.",
    ),
    (
        "rule.class",
        "事项分类应为 A、B、C 或 D。",
        "The class must be A, B, C or D.",
    ),
    (
        "rule.department",
        "实施部门“{}”不是在用的部门。",
        "“{}” is not an active department.",
    ),
    (
        "rule.legal_basis",
        "行政权力事项须写明设定依据。",
        "A power matter needs its legal basis.",
    ),
    (
        "rule.promised_over_legal",
        "承诺时限不能超过法定时限（{} 个工作日）。",
        "The promised limit cannot exceed the legal limit ({} working days).",
    ),
    (
        "rule.depth",
        "网上办理深度应为 1 至 4。",
        "Online depth must be 1 to 4.",
    ),
    (
        "rule.depth4_visits",
        "全程网办（四级）的事项到现场次数必须为 0。",
        "A fully online (level 4) matter must need no visit.",
    ),
    (
        "rule.visit_reason",
        "需要到现场的，须说明理由。",
        "A required visit needs a stated reason.",
    ),
    (
        "rule.fee_basis",
        "收费项目须写明收费依据。",
        "A fee needs its legal basis.",
    ),
    (
        "rule.licensing_steps",
        "行政许可事项缺少办理环节：{}。",
        "A licensing matter lacks the steps: {}.",
    ),
    (
        "rule.materials",
        "办事指南须列出申请材料。",
        "The guide must list the materials.",
    ),
    (
        "rule.material_id",
        "材料标识“{}”为空或重复。",
        "Material id “{}” is empty or repeated.",
    ),
    // application and navigation
    (
        "app.name",
        "龙华区政务服务平台",
        "Longhua Government Services Platform",
    ),
    (
        "app.sub",
        "互联网+政务服务 · 一门式一网式",
        "Internet+ government services · one door, one network",
    ),
    (
        "app.footer",
        "zhengwu 政务服务平台 · 区政务服务局 运维值班电话 0755-12345",
        "zhengwu government services platform · bureau O&M duty line 0755-12345",
    ),
    ("nav.label", "主导航", "Main navigation"),
    ("nav.home", "工作台", "Home"),
    ("nav.org", "组织机构", "Org tree"),
    ("nav.accounts", "账号与角色", "Accounts & roles"),
    ("nav.import", "批量导入", "Bulk import"),
    ("nav.audit", "审计日志", "Audit trail"),
    ("nav.password", "修改密码", "Change password"),
    ("nav.logout", "退出", "Sign out"),
    // shared UI words
    ("ui.skip", "跳到正文", "Skip to content"),
    ("ui.actions", "操作", "Actions"),
    ("ui.all", "全部", "All"),
    ("ui.back", "返回", "Back"),
    ("ui.cancel", "取消", "Cancel"),
    ("ui.coming", "即将上线", "Coming soon"),
    ("ui.create", "创建", "Create"),
    ("ui.save", "保存", "Save"),
    ("ui.saved", "已保存。", "Saved."),
    ("ui.search", "搜索", "Search"),
    ("ui.filter", "筛选", "Filter"),
    ("ui.none", "没有符合条件的记录。", "Nothing matches."),
    ("ui.total", "共 {} 条", "{} in all"),
    ("ui.pages", "分页", "Pages"),
    ("ui.prev", "上一页", "Previous"),
    ("ui.next", "下一页", "Next"),
    ("ui.page_of", "第 {} 页", "Page {}"),
    ("ui.export_xlsx", "导出 Excel", "Export Excel"),
    ("ui.export_csv", "导出 CSV", "Export CSV"),
    ("ui.error_title", "无法完成操作", "That did not work"),
    (
        "ui.there_is_a_problem",
        "请修改以下问题",
        "There is a problem",
    ),
    (
        "ui.password_changed",
        "密码已修改，其他设备上的登录已退出。",
        "Password changed; your other sessions were signed out.",
    ),
    (
        "ui.password_reset",
        "密码已重置，该账号的登录已全部退出。",
        "Password reset; all of the account's sessions were ended.",
    ),
    ("ui.yes", "是", "Yes"),
    ("ui.no", "否", "No"),
    // sign-in and home
    ("login.title", "工作人员登录", "Staff sign-in"),
    (
        "login.hint",
        "请使用区政务服务局分配的账号登录。",
        "Sign in with the account the bureau gave you.",
    ),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.aside",
        "一个系统办理区、街道、社区三级政务服务：事项目录、网上办事、一窗受理、审批、电子证照与运维。",
        "One system for district, street and community services: catalog, online hall, one-window counter, approvals, e-licences and operations.",
    ),
    ("home.hello", "您好，{}", "Hello, {}"),
    ("home.roles", "您的角色：", "Your roles:"),
    ("card.org.title", "组织机构", "Org tree"),
    (
        "card.org.body",
        "查看区、街道、社区三级机构、部门与服务大厅，在权限范围内新建、更名、调整与撤销。",
        "See the district, streets, communities, departments and halls; create, rename, move and retire within your scope.",
    ),
    ("card.account_new.title", "新建账号", "New account"),
    (
        "card.account_new.body",
        "为本单位及下级单位的工作人员开设账号并授予角色。",
        "Open accounts for staff of your unit and below, and grant roles.",
    ),
    ("card.import.title", "批量导入账号", "Import accounts"),
    (
        "card.import.body",
        "从 Excel 或 CSV 批量导入账号与角色，先试导入检查每一行。",
        "Import accounts and roles from Excel or CSV; check every row with a dry run first.",
    ),
    ("card.accounts.title", "账号与角色", "Accounts & roles"),
    (
        "card.accounts.body",
        "查询权限范围内的账号及其角色。",
        "Look up the accounts and roles within your scope.",
    ),
    ("card.audit.title", "审计日志", "Audit trail"),
    (
        "card.audit.body",
        "谁在何时从何处改了什么：筛选、查看修改前后内容并导出。",
        "Who changed what, when and from where: filter, compare before and after, export.",
    ),
    ("card.window.title", "一窗受理", "Window acceptance"),
    (
        "card.window.body",
        "叫号、收件、受理、打印回执。",
        "Call the queue, receive, accept, print receipts.",
    ),
    ("card.approval.title", "审批待办", "Approval inbox"),
    (
        "card.approval.body",
        "按流程审批办件，时限按工作日计算。",
        "Decide applications along the workflow, deadlines in working days.",
    ),
    ("card.catalog.title", "事项管理", "Matters"),
    (
        "card.catalog.body",
        "维护权责清单事项与办事指南。",
        "Maintain the matters and their service guides.",
    ),
    ("card.ops.title", "运维工单", "O&M tickets"),
    (
        "card.ops.body",
        "三级响应、服务时限与每周报告。",
        "Three-level response, service levels, weekly reports.",
    ),
    ("card.citizen.title", "我的办件", "My applications"),
    (
        "card.citizen.body",
        "网上申办、查进度、评价服务。",
        "Apply online, track progress, rate the service.",
    ),
    ("card.password.title", "修改密码", "Change password"),
    (
        "card.password.body",
        "定期修改密码，保护群众数据安全。",
        "Change your password regularly to keep citizens' data safe.",
    ),
    ("pw.current", "当前密码", "Current password"),
    ("pw.new", "新密码", "New password"),
    ("pw.confirm", "再次输入新密码", "New password again"),
    (
        "pw.hint",
        "至少 8 位，须同时包含字母和数字。",
        "At least 8 characters with letters and digits.",
    ),
    // org tree
    (
        "org.filter",
        "按名称或编码筛选机构",
        "Filter units by name or code",
    ),
    ("org.users", "{} 个账号", "{} accounts"),
    ("org.retired", "已撤销", "Retired"),
    ("org.rename", "名称", "Name"),
    ("org.move_under", "调整到", "Move under"),
    ("org.move", "调整", "Move"),
    ("org.retire", "撤销机构", "Retire unit"),
    (
        "org.retire_confirm",
        "确定撤销“{}”吗？撤销后保留历史记录。",
        "Retire “{}”? Its history is kept.",
    ),
    ("org.new", "新建下级机构", "New unit"),
    ("org.add_below", "在其下新建", "Add a unit below"),
    ("org.move_title", "调整上级机构", "Move a unit"),
    ("org.unit", "机构", "Unit"),
    ("org.parent", "上级机构", "Parent unit"),
    ("org.kind", "类型", "Kind"),
    ("org.code", "机构编码", "Code"),
    ("org.name", "机构名称", "Name"),
    // accounts
    ("col.username", "用户名", "Username"),
    ("col.name", "姓名", "Name"),
    ("col.unit", "所属机构", "Unit"),
    ("col.org_unit", "所属机构", "Unit"),
    ("col.roles", "角色", "Roles"),
    ("col.role", "角色", "Role"),
    ("col.scope", "授权范围", "Scope"),
    ("col.email", "电子邮箱", "E-mail"),
    ("col.phone", "电话", "Phone"),
    ("col.status", "状态", "Status"),
    ("col.active", "启用", "Enabled"),
    ("col.created_at", "创建时间", "Created"),
    ("col.updated_at", "更新时间", "Updated"),
    ("acc.new", "新建账号", "New account"),
    (
        "acc.search_hint",
        "用户名、姓名、电话或邮箱",
        "Username, name, phone or e-mail",
    ),
    ("acc.active", "启用", "Enabled"),
    ("acc.inactive", "停用", "Disabled"),
    ("acc.details", "基本信息", "Details"),
    ("acc.grant", "授予角色", "Grant role"),
    ("acc.revoke", "收回", "Revoke"),
    ("acc.reset_password", "重置密码", "Reset password"),
    (
        "acc.history",
        "查看此账号的审计记录",
        "See this account's audit history",
    ),
    ("acc.initial_password", "初始密码", "Initial password"),
    (
        "acc.username_hint",
        "3–32 位字母、数字、点、下划线或连字符，创建后不可修改。",
        "3–32 letters, digits, dots, underscores or hyphens; cannot be changed later.",
    ),
    // import
    (
        "imp.file",
        "账号文件（CSV 或 Excel）",
        "Account file (CSV or Excel)",
    ),
    (
        "imp.hint",
        "第一行为列名；CSV 使用 UTF-8 编码（Excel“另存为 CSV UTF-8”即可）。",
        "The first row names the columns; CSV in UTF-8 (Excel's “CSV UTF-8” works).",
    ),
    (
        "imp.dry_run",
        "仅试导入：检查每一行，不写入",
        "Dry run: check every row, write nothing",
    ),
    ("imp.submit", "上传并检查", "Upload and check"),
    ("imp.working", "正在处理，请稍候…", "Working, please wait…"),
    ("imp.columns", "文件格式", "File format"),
    ("imp.col_username", "用户名，不可重复", "Username, unique"),
    (
        "imp.col_org_unit",
        "机构编码，或路径如 龙华区/民治街道/北站社区",
        "Unit code, or a path such as 龙华区/民治街道/北站社区",
    ),
    (
        "imp.col_roles",
        "角色编码或名称，多个用 ; 分隔，授予在所属机构",
        "Role codes or names separated by ;, granted at the account's unit",
    ),
    ("imp.col_optional", "可留空", "May be empty"),
    (
        "imp.col_password",
        "可选；留空则生成初始密码",
        "Optional; an initial password is generated when empty",
    ),
    ("imp.report", "导入结果", "Import report"),
    (
        "imp.bad_rows",
        "有 {} 处错误，未导入任何账号。请修改后重新上传。",
        "{} problems found; nothing was imported. Fix them and upload again.",
    ),
    ("imp.row", "行号", "Row"),
    ("imp.column", "列", "Column"),
    ("imp.reason", "原因", "Reason"),
    (
        "imp.dry_ok",
        "试导入通过：{} 行全部无误，尚未写入。取消勾选“仅试导入”后再次上传即可导入。",
        "Dry run passed: all {} rows are valid; nothing written yet. Upload again without “dry run” to import.",
    ),
    ("imp.done", "已导入 {} 个账号。", "{} accounts imported."),
    (
        "imp.generated",
        "以下账号的初始密码只显示这一次，请妥善转交：",
        "Initial passwords, shown only this once; hand them over safely:",
    ),
    // audit page
    ("aud.time", "时间", "Time"),
    ("aud.actor", "操作人", "Actor"),
    ("aud.ip", "来源地址", "From"),
    ("aud.action", "操作", "Action"),
    ("aud.summary", "摘要", "Summary"),
    ("aud.change", "修改内容", "Change"),
    ("aud.show", "查看", "Show"),
    ("aud.before", "修改前", "Before"),
    ("aud.after", "修改后", "After"),
    ("aud.from", "起始日期", "From"),
    ("aud.to", "截止日期", "To"),
    ("aud.group.unit.", "机构", "Units"),
    ("aud.group.user.", "账号", "Accounts"),
    ("aud.group.grant.", "角色授权", "Role grants"),
    ("aud.group.auth.", "登录", "Sign-ins"),
    // errors
    (
        "err.not_found",
        "未找到该资源，或您无权查看。",
        "Not found, or you may not see it.",
    ),
    ("err.unauthenticated", "请先登录。", "Please sign in first."),
    (
        "err.forbidden",
        "您无权执行此操作。",
        "You are not allowed to do this.",
    ),
    (
        "err.csrf",
        "页面已过期，请刷新后重试。",
        "This page has expired; reload it and try again.",
    ),
    (
        "err.invalid_credentials",
        "用户名或密码错误。",
        "Wrong username or password.",
    ),
    (
        "err.locked",
        "登录失败次数过多，账号已临时锁定，请 {} 秒后再试。",
        "Too many failed sign-ins; the account is locked for {} more seconds.",
    ),
    (
        "err.validation",
        "提交的内容有误：",
        "Please correct the input: ",
    ),
    (
        "err.internal",
        "系统内部错误，请稍后重试；如持续出现请联系运维。",
        "Internal error; try again later, and call O&M if it persists.",
    ),
    (
        "err.username_taken",
        "该用户名已被使用。",
        "That username is already taken.",
    ),
    (
        "err.code_taken",
        "该机构编码已被使用。",
        "That unit code is already taken.",
    ),
    (
        "err.grant_exists",
        "该账号在此机构已有此角色。",
        "The account already has this role at that unit.",
    ),
    (
        "err.unit_has_children",
        "该机构下还有未撤销的下级机构或在用账号，不能撤销。",
        "The unit still has active sub-units or accounts and cannot be retired.",
    ),
    (
        "err.move_into_self",
        "不能把机构移动到它自己或它的下级之下。",
        "A unit cannot be moved under itself or its own sub-units.",
    ),
    (
        "err.unit_retired",
        "该机构已撤销。",
        "That unit has been retired.",
    ),
    (
        "err.wrong_password",
        "当前密码不正确。",
        "The current password is wrong.",
    ),
    // the operations desk
    (
        "field.ticket_unknown",
        "没有工单或记录“{}”。",
        "No ticket or record “{}”.",
    ),
    (
        "err.ticket_not_with_developers",
        "工单不在开发商处，无需开发商状态。",
        "The ticket is not with the developers.",
    ),
    (
        "field.resolution_before_response",
        "解决时限不能短于响应时限。",
        "Resolution cannot be due before the response.",
    ),
    ("ops.event.duplicate", "重复工单，已并入", "Duplicate of"),
    (
        "ops.event.known_error",
        "关联已知问题",
        "Linked to a known error",
    ),
    ("ops.event.vendor", "开发商状态", "Developers' status"),
    ("ops.event.file", "上传附件", "File attached"),
    (
        "audit.ticket.duplicate",
        "标记重复工单",
        "Ticket marked duplicate",
    ),
    (
        "audit.ticket.known_error",
        "工单关联已知问题",
        "Ticket linked to a known error",
    ),
    (
        "audit.ticket.vendor",
        "更新开发商状态",
        "Developers' status updated",
    ),
    ("audit.known_error.add", "新增已知问题", "Known error added"),
    ("audit.sla.set", "修改服务时限", "Service levels changed"),
    (
        "field.url",
        "“{}”不是有效的 http(s) 地址。",
        "“{}” is not a valid http(s) address.",
    ),
    ("field.range", "取值应在 {} 之间。", "Must be within {}."),
    (
        "field.not_engineer",
        "“{}”不是在用的运维人员账号。",
        "“{}” is not an active O&M account.",
    ),
    (
        "err.duty_taken",
        "该人员当天已在值班表中。",
        "This engineer is already on the rota that day.",
    ),
    (
        "ops.event.duty_alert",
        "非工作时间，转值班人员并邮件提醒",
        "Off hours: assigned to the engineer on duty, alerted by e-mail",
    ),
    ("audit.duty.add", "排班", "Duty added"),
    ("audit.duty.remove", "取消排班", "Duty removed"),
    (
        "audit.assurance.save",
        "保存保障/演练记录",
        "Assurance or drill saved",
    ),
    ("audit.check.add", "新增巡检项", "Inspection added"),
    ("nav.ops", "运维", "O&M desk"),
    ("ops.act", "处理工单", "Work on the ticket"),
    ("ops.answered_at", "已于 {} 响应", "answered {}"),
    ("ops.resolved_at", "已于 {} 解决", "resolved {}"),
    ("ops.breached", "已超时", "Breached"),
    (
        "ops.chart_legend",
        "条形为工单数，深色部分为已解决。",
        "Bars are tickets; the darker part is resolved.",
    ),
    ("ops.details", "工单明细", "Tickets"),
    ("ops.download_xlsx", "下载 Excel", "Download Excel"),
    ("ops.empty", "没有工单。", "No tickets."),
    ("ops.empty_week", "本周没有工单。", "No tickets this week."),
    ("ops.escalate_to", "升级到{}", "Escalate to {}"),
    ("ops.escalate_why", "升级原因", "Why escalate"),
    ("ops.export_csv", "导出 CSV", "Export CSV"),
    ("ops.export_xlsx", "导出 Excel", "Export Excel"),
    ("ops.field.assignee", "处理人", "Assignee"),
    ("ops.field.category", "问题类别", "Category"),
    ("ops.field.channel", "受理渠道", "Channel"),
    ("ops.field.description", "问题描述", "Description"),
    ("ops.field.level", "响应层级", "Level"),
    ("ops.field.number", "工单编号", "Number"),
    ("ops.field.opened_at", "报告时间", "Opened"),
    ("ops.field.page_url", "出问题的页面", "Page"),
    ("ops.field.priority", "优先级", "Priority"),
    ("ops.field.reporter", "报告人", "Reporter"),
    ("ops.field.resolution_due_at", "解决时限", "Resolve by"),
    ("ops.field.response_due_at", "响应时限", "Respond by"),
    ("ops.field.status", "状态", "Status"),
    ("ops.field.system", "系统", "System"),
    ("ops.field.title", "标题", "Title"),
    ("ops.field.unit", "报告单位", "Unit"),
    ("ops.from", "从", "From"),
    ("ops.to", "至", "To"),
    ("ops.history", "处理记录", "History"),
    (
        "ops.import",
        "导入工单台账（CSV 或 Excel）",
        "Import a ticket ledger (CSV or Excel)",
    ),
    ("ops.import_go", "上传并导入", "Upload and import"),
    (
        "ops.import_hint",
        "列：number, system, category, priority, channel, unit, reporter, opened_at, first_response_at, resolved_at, status, escalated_to；时间为北京时间 YYYY-MM-DD HH:MM:SS。有任何错误行则不导入。",
        "Columns: number, system, category, priority, channel, unit, reporter, opened_at, first_response_at, resolved_at, status, escalated_to; times in China time, YYYY-MM-DD HH:MM:SS. Nothing is imported if any row is bad.",
    ),
    (
        "ops.import_bad",
        "有 {} 处错误，未导入任何工单：",
        "{} problems; nothing was imported:",
    ),
    (
        "ops.import_checked",
        "已检查 {} 行，全部无误。",
        "{} rows checked, all good.",
    ),
    (
        "ops.import_done",
        "已导入 {} 张工单。",
        "{} tickets imported.",
    ),
    ("ops.k.developers", "转开发商", "To developers"),
    ("ops.k.median", "首次响应中位数", "Median first response"),
    ("ops.k.resolution_rate", "解决率", "Resolution rate"),
    ("ops.k.resolution_sla", "解决达标率", "Resolved in time"),
    ("ops.k.resolved", "已解决", "Resolved"),
    ("ops.k.response_sla", "响应达标率", "Answered in time"),
    ("ops.k.total", "工单总数", "Tickets"),
    ("ops.ledger", "工单台账", "Ticket ledger"),
    (
        "ops.log_call",
        "代为登记（电话、远程、现场）",
        "Log a call (phone, remote, on site)",
    ),
    ("ops.mail", "邮件报送", "E-mail"),
    (
        "ops.mail_hint",
        "每周一 8:00 后自动发送上周的记录；邮件服务器不可用时会排队重试，不会丢失。",
        "Last week's report goes out automatically on Monday after 8:00; if the mail server is down it is queued and retried, never lost.",
    ),
    ("ops.move", "操作", "Action"),
    ("ops.my_unit", "本人所在单位", "My own unit"),
    ("ops.next_week", "下一周", "Next week"),
    ("ops.prev_week", "上一周", "Previous week"),
    ("ops.note", "说明", "Note"),
    ("ops.off_hours", "非工作时间", "Off hours"),
    ("ops.open", "未解决", "Open"),
    (
        "ops.recipients",
        "收件人（多个用逗号分隔）",
        "Recipients (separate with commas)",
    ),
    (
        "ops.recipients_saved",
        "收件人已保存。",
        "Recipients saved.",
    ),
    ("ops.report", "报告问题", "Report a problem"),
    (
        "ops.report_hint",
        "说明在哪个页面、做了什么、看到了什么。运维人员会在工作时间 1 小时内响应。",
        "Say on which page, what you did and what you saw. The O&M team answers within a working hour.",
    ),
    (
        "ops.report_hint_short",
        "向运维报告本页的问题",
        "Report a problem with this page to the O&M team",
    ),
    (
        "ops.reporter_hint",
        "来电人的账号或姓名，留空为本人",
        "Caller's username or name; empty for yourself",
    ),
    (
        "ops.search_hint",
        "编号、标题或报告人",
        "Number, title or reporter",
    ),
    ("ops.seconds", "秒", "s"),
    ("ops.send_now", "立即发送本周记录", "Send this report now"),
    ("ops.sent", "已加入发送队列。", "Queued for sending."),
    (
        "ops.sent_nobody",
        "已生成，但尚未设置收件人。",
        "Built, but no recipient is set.",
    ),
    ("ops.stats", "运维统计", "Figures"),
    ("ops.submit", "提交", "Submit"),
    ("ops.summary", "汇总", "Summary"),
    ("ops.vendor", "开发商处理中", "With the developers"),
    ("ops.views", "工单视图", "Ticket views"),
    ("ops.view.queue", "我的队列", "My queue"),
    ("ops.view.reported", "我报告的", "Reported by me"),
    ("ops.view.all", "全部工单", "All tickets"),
    ("ops.weekly", "每周问题处理记录", "Weekly report"),
    ("ops.by_system", "按系统", "By system"),
    ("ops.by_category", "按类别", "By category"),
    ("ops.by_level", "按层级", "By level"),
    ("ops.timing.ok", "正常", "On time"),
    ("ops.timing.warning", "即将超时", "Due soon"),
    ("ops.timing.breached", "已超时", "Breached"),
    ("ops.timing.waiting", "等待报告人", "Waiting on reporter"),
    ("ops.timing.done", "已完成", "Done"),
    ("ops.move.respond", "响应", "Respond"),
    ("ops.move.start", "开始处理", "Start work"),
    ("ops.move.wait", "等待报告人补充", "Wait on the reporter"),
    ("ops.move.resolve", "已解决", "Resolve"),
    ("ops.move.close", "确认关闭", "Close"),
    ("ops.move.reopen", "重新打开", "Reopen"),
    ("ops.move.comment", "备注", "Comment"),
    ("ops.event.opened", "报告", "Opened"),
    ("ops.event.imported", "从台账导入", "Imported"),
    ("ops.event.respond", "响应", "Responded"),
    ("ops.event.start", "开始处理", "Work started"),
    ("ops.event.wait", "等待报告人", "Waiting on reporter"),
    ("ops.event.resolve", "已解决", "Resolved"),
    ("ops.event.close", "关闭", "Closed"),
    ("ops.event.reopen", "重新打开", "Reopened"),
    ("ops.event.comment", "备注", "Comment"),
    ("ops.event.escalate", "升级", "Escalated"),
    (
        "ops.event.auto_escalate",
        "临近超时，自动升级",
        "Escalated automatically (clock about to break)",
    ),
    (
        "ops.event.breach_response",
        "响应超时",
        "Response time breached",
    ),
    (
        "ops.event.breach_resolution",
        "解决超时",
        "Resolution time breached",
    ),
    ("audit.ticket.open", "报告运维问题", "Ticket opened"),
    ("audit.ticket.respond", "响应运维工单", "Ticket answered"),
    ("audit.ticket.start", "处理运维工单", "Ticket work started"),
    (
        "audit.ticket.wait",
        "工单等待报告人",
        "Ticket waiting on reporter",
    ),
    ("audit.ticket.resolve", "解决运维工单", "Ticket resolved"),
    ("audit.ticket.close", "关闭运维工单", "Ticket closed"),
    ("audit.ticket.reopen", "重新打开运维工单", "Ticket reopened"),
    ("audit.ticket.comment", "备注运维工单", "Ticket comment"),
    ("audit.ticket.escalate", "升级运维工单", "Ticket escalated"),
    (
        "audit.ticket.import",
        "导入工单台账",
        "Ticket ledger imported",
    ),
    (
        "audit.settings.report_recipients",
        "设置周报收件人",
        "Weekly report recipients set",
    ),
    ("ops.system.catalog", "权责清单系统", "Responsibility list"),
    ("ops.system.hall", "网上办事大厅", "Online hall"),
    ("ops.system.window", "一窗综合服务", "One-window counter"),
    ("ops.system.approval", "公共审批平台", "Approval platform"),
    ("ops.system.platform", "平台", "Platform"),
    (
        "ops.category.account",
        "账号与权限",
        "Accounts and permissions",
    ),
    (
        "ops.category.matter_config",
        "事项配置",
        "Matter configuration",
    ),
    (
        "ops.category.workflow_config",
        "流程配置",
        "Workflow configuration",
    ),
    ("ops.category.print_template", "打印模板", "Print templates"),
    ("ops.category.fault", "故障", "Fault"),
    ("ops.category.e_licence", "电子证照", "E-licences"),
    ("ops.category.data_fix", "数据修正", "Data fix"),
    ("ops.category.security", "安全", "Security"),
    ("ops.category.consultation", "咨询", "Consultation"),
    ("ops.priority.urgent", "紧急", "Urgent"),
    ("ops.priority.high", "高", "High"),
    ("ops.priority.normal", "普通", "Normal"),
    ("ops.priority.low", "低", "Low"),
    ("ops.channel.phone", "电话", "Phone"),
    ("ops.channel.remote", "远程", "Remote"),
    ("ops.channel.onsite", "现场", "On site"),
    ("ops.channel.web", "网页", "Web"),
    ("ops.channel.email", "邮件", "E-mail"),
    ("ops.status.new", "新建", "New"),
    ("ops.status.responded", "已响应", "Responded"),
    ("ops.status.in_progress", "处理中", "In progress"),
    ("ops.status.waiting", "等待报告人", "Waiting"),
    ("ops.status.resolved", "已解决", "Resolved"),
    ("ops.status.closed", "已关闭", "Closed"),
    ("ops.level.community", "社区", "Community"),
    ("ops.level.street", "街道", "Street"),
    ("ops.level.district", "区", "District"),
    ("ops.level.developers", "开发商", "Developers"),
    // field errors
    ("field.required", "必填。", "Required."),
    (
        "field.code_unknown",
        "“{}”不是可用的取值。",
        "“{}” is not one of the accepted values.",
    ),
    (
        "field.datetime",
        "“{}”不是有效时间，请写成 YYYY-MM-DD HH:MM:SS（北京时间）。",
        "“{}” is not a valid time; write YYYY-MM-DD HH:MM:SS (China time).",
    ),
    (
        "field.before_opened",
        "不能早于报告时间。",
        "Cannot be before the time it was opened.",
    ),
    (
        "field.resolved_but_open",
        "有解决时间的工单，状态应为已解决或已关闭。",
        "A ticket with a resolution time must be resolved or closed.",
    ),
    (
        "field.number_taken",
        "工单编号 {} 已存在。",
        "Ticket number {} already exists.",
    ),
    (
        "field.period",
        "开始日期不能晚于结束日期。",
        "The start date cannot be after the end date.",
    ),
    (
        "err.ticket_move",
        "工单当前状态不允许这个操作。",
        "The ticket's status does not allow this.",
    ),
    (
        "err.ticket_changed",
        "工单刚被他人更新，请刷新后再试。",
        "Someone else just changed this ticket; reload and try again.",
    ),
    (
        "err.ticket_top_level",
        "工单已在开发商处，无法再升级。",
        "The ticket is already with the developers; there is no level above.",
    ),
    (
        "field.file_name",
        "文件名“{}”不可用：不能含有 /、\\、.. 或控制字符，且不超过 120 个字符。",
        "The file name “{}” cannot be used: no /, \\, .. or control characters, at most 120 characters.",
    ),
    (
        "field.file_empty",
        "文件“{}”是空的。",
        "The file “{}” is empty.",
    ),
    (
        "field.file_too_large",
        "文件太大：每个文件不超过 {} MB。",
        "The file is too large: at most {} MB each.",
    ),
    (
        "field.file_type",
        "“{}”不是可接受的文件类型（按文件内容判断）：请上传 PDF、图片、Word/Excel 或压缩包。",
        "“{}” is not an accepted type (judged by its content): upload a PDF, an image, Word/Excel or ZIP.",
    ),
    (
        "field.file_unknown",
        "没有您上传的文件 {}。",
        "No file {} uploaded by you.",
    ),
    (
        "field.too_many_files",
        "一次最多附 {} 个文件。",
        "At most {} files at a time.",
    ),
    (
        "field.too_long",
        "不能超过 {} 个字符。",
        "At most {} characters.",
    ),
    (
        "field.username",
        "用户名只能用 3–32 位字母、数字、点、下划线或连字符。",
        "Usernames are 3–32 letters, digits, dots, underscores or hyphens.",
    ),
    (
        "field.password_weak",
        "密码至少 8 位，且须同时包含字母和数字。",
        "Passwords need at least 8 characters with letters and digits.",
    ),
    (
        "field.email",
        "电子邮箱格式不正确。",
        "Not a valid e-mail address.",
    ),
    (
        "field.phone",
        "电话号码格式不正确（11 位手机号或带区号的固定电话）。",
        "Not a valid phone number (11-digit mobile or landline with area code).",
    ),
    ("field.role_unknown", "未知角色：{}。", "Unknown role: {}."),
    (
        "field.unit_unknown",
        "找不到机构：{}。",
        "No such unit: {}.",
    ),
    (
        "field.unit_out_of_scope",
        "机构 {} 不在您的管理范围内。",
        "Unit {} is outside what you administer.",
    ),
    (
        "field.role_not_grantable",
        "您不能授予角色：{}。",
        "You may not grant the role: {}.",
    ),
    (
        "field.kind_unknown",
        "未知机构类型：{}。",
        "Unknown unit kind: {}.",
    ),
    (
        "field.kind_parent",
        "该类型的机构不能设在所选上级之下。",
        "A unit of this kind cannot sit under the chosen parent.",
    ),
    (
        "field.code",
        "机构编码只能用 2–32 位字母、数字或连字符。",
        "Unit codes are 2–32 letters, digits or hyphens.",
    ),
    (
        "field.duplicate_in_file",
        "文件中用户名重复：{}。",
        "Username repeated in the file: {}.",
    ),
    (
        "field.missing_column",
        "缺少列：{}。",
        "Missing column: {}.",
    ),
    (
        "field.file_format",
        "无法读取文件：{}。",
        "Cannot read the file: {}.",
    ),
    (
        "field.empty_file",
        "文件中没有数据行。",
        "The file has no data rows.",
    ),
    (
        "field.mismatch",
        "两次输入的新密码不一致。",
        "The new passwords do not match.",
    ),
    // roles
    ("role.citizen", "群众/企业", "Citizen or company"),
    ("role.window_clerk", "窗口工作人员", "Window clerk"),
    ("role.approver", "审批人员", "Approver"),
    ("role.department_admin", "单位管理员", "Unit administrator"),
    ("role.matter_admin", "事项管理员", "Matter administrator"),
    ("role.om_engineer", "运维工程师", "O&M engineer"),
    ("role.om_manager", "运维经理", "O&M manager"),
    (
        "role.bureau_admin",
        "政务服务局管理员",
        "Bureau administrator",
    ),
    ("role.auditor", "审计员", "Auditor"),
    // unit kinds
    ("kind.district", "区", "District"),
    ("kind.street", "街道", "Street"),
    ("kind.community", "社区", "Community"),
    ("kind.department", "部门", "Department"),
    ("kind.hall", "服务大厅", "Service hall"),
    // audit actions
    ("audit.unit.create", "新建机构", "Unit created"),
    ("audit.unit.rename", "机构更名", "Unit renamed"),
    ("audit.unit.move", "机构调整上级", "Unit moved"),
    ("audit.unit.retire", "撤销机构", "Unit retired"),
    ("audit.user.create", "新建账号", "Account created"),
    ("audit.user.update", "修改账号", "Account changed"),
    ("audit.user.deactivate", "停用账号", "Account disabled"),
    ("audit.user.activate", "启用账号", "Account enabled"),
    ("audit.user.password", "修改密码", "Password changed"),
    ("audit.user.reset_password", "重置密码", "Password reset"),
    ("audit.user.import", "批量导入账号", "Accounts imported"),
    ("audit.grant.add", "授予角色", "Role granted"),
    ("audit.grant.remove", "收回角色", "Role revoked"),
    ("audit.auth.login", "登录", "Signed in"),
    ("audit.auth.login_failed", "登录失败", "Sign-in failed"),
    ("audit.auth.logout", "退出", "Signed out"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_cookie_then_header_then_chinese() {
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr-FR,en;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr-FR")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, None), Lang::Zh);
    }

    /// Every message key written in the code or the templates has both translations.
    #[test]
    fn every_key_used_is_in_the_catalogue() {
        let root = env!("CARGO_MANIFEST_DIR");
        let re = regex::Regex::new(
            r#"["'](((err|field|form|rule|role|kind|audit|ui|nav|card|col|acc|imp|aud|org|pw|login|home|app|cat|hall|depth|mtype|mform|cat|fk|cal|wf|ap|timing|sup|ops)\.)[a-z0-9_.]*[a-z0-9_])["']"#,
        )
        .unwrap();
        let mut missing = Vec::new();
        for dir in ["src", "templates"] {
            let mut stack = vec![std::path::PathBuf::from(format!("{root}/{dir}"))];
            while let Some(p) = stack.pop() {
                if p.is_dir() {
                    stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for c in re.captures_iter(&text) {
                    let key = &c[1];
                    let file = [".html", ".csv", ".xlsx", ".docx"]
                        .iter()
                        .any(|x| key.ends_with(x));
                    // Home cards are named by prefix: `card.org` has `card.org.title` and `.body`.
                    let card = key.starts_with("card.") && is_known(&format!("{key}.title"));
                    // A prefix completed in the template (`'cat.f_' ~ action`).
                    let prefix = key.ends_with('_');
                    if !is_known(key) && !file && !card && !prefix {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys without messages: {missing:#?}");
    }

    #[test]
    fn every_key_is_unique_and_translated() {
        for (i, (k, zh, en)) in CATALOGUE.iter().enumerate() {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
            assert!(
                CATALOGUE[..i].iter().all(|(k2, _, _)| k2 != k),
                "duplicate {k}"
            );
        }
        assert_eq!(
            tr(Lang::En, "err.not_found"),
            "Not found, or you may not see it."
        );
        assert_eq!(tr(Lang::Zh, "no.such.key"), "no.such.key");
    }
}
