"""The stable code of every kind of Problem GovFlow sends, with its Chinese title and detail.

A code names a kind of error, not a message: front ends switch on it (and on the HTTP status)
and may show their own words. Each raise site in service/ names its code
(tests/test_problem_codes.py checks); docs/contract.md lists them all. A Chinese detail is a
template filled from the raise site's ``params`` and ``{detail}`` (the English detail); a
template whose values are missing falls back to the title followed by the English detail.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    title: str      # English title
    title_zh: str   # Chinese title
    detail_zh: str  # Chinese detail template


CODES: dict[str, Code] = {
    # Authentication and rights
    "auth.token_missing": Code("Unauthorized", "未认证",
                               "请求需要 Authorization: Bearer <令牌> 请求头"),
    "auth.token_too_long": Code("Unauthorized", "未认证", "令牌长度超过 {max_bytes} 字节"),
    "auth.token_expired": Code("Unauthorized", "未认证", "令牌已过期"),
    "auth.token_invalid": Code("Unauthorized", "未认证", "令牌无效：{reason}"),
    "auth.token_claims_invalid": Code("Unauthorized", "未认证", "令牌声明无效：{reason}"),
    "auth.not_tenant_admin": Code("Forbidden", "无权操作",
                                  "用户“{user}”不是租户“{tenant}”的管理员"),
    "auth.not_global_admin": Code("Forbidden", "无权操作",
                                  "{action}需要全局管理员（租户为“*”的管理员）；"
                                  "用户“{user}”不是"),
    "auth.oidc_keys_unavailable": Code("Unauthorized", "未认证", "无法获取 OpenID 提供方的密钥，令牌无法校验"),
    "request.unknown_parameter": Code("Invalid input", "输入无效", "未知的查询参数：{names}"),
    "tasks.mine_not_ready": Code("Invalid input", "输入无效", "mine=true 只列出待办（ready）任务：请去掉 state 或设为 ready"),
    "token.mint_invalid": Code("Invalid input", "输入无效", "无法签发该令牌：{reason}"),
    # Requests in general
    "request.invalid": Code("Invalid input", "输入无效", "请求无效"),
    "request.too_large": Code("Content too large", "请求体过大",
                              "请求体超过 {limit} 字节"),
    "http.not_found": Code("Not found", "未找到", "没有这个地址"),
    "http.method_not_allowed": Code("Method not allowed", "方法不允许",
                                    "该地址不支持此 HTTP 方法"),
    "http.error": Code("HTTP error", "HTTP 错误", "{detail}"),
    "internal.error": Code("Internal error", "内部错误", "发生意外错误；未做任何更改"),
    "pagination.cursor_invalid": Code("Invalid input", "输入无效",
                                      "游标不是本列表返回的游标"),
    "pagination.cursor_and_offset": Code("Invalid input", "输入无效",
                                         "分页只能用游标或偏移量之一，不能同时使用"),
    # Tenants
    "tenant.not_found": Code("Not found", "未找到", "租户“{tenant}”不存在"),
    "tenant.id_invalid": Code("Invalid input", "输入无效", "租户标识无效"),
    "tenant.name_missing": Code("Invalid input", "输入无效", "租户需要名称"),
    "tenant.no_active_set": Code("Conflict", "冲突",
                                 "租户“{tenant}”没有启用的图集：请先部署一个"),
    # Diagram sets and uploads
    "diagram.invalid": Code("Invalid input", "输入无效", "图集被拒绝：{reason}"),
    "diagram_set.not_found": Code("Not found", "未找到", "图集 {set_id} 不存在"),
    "diagram_set.not_in_tenant": Code("Invalid input", "输入无效",
                                      "图集 {set_id} 不属于租户“{tenant}”"),
    "process.not_found": Code("Not found", "未找到",
                              "图集中没有流程“{process_id}”（现有流程：{processes}）"),
    "process.main_missing": Code("Invalid input", "输入无效",
                                 "启用的图集没有主流程：请用 process_id 指明要启动的流程"),
    "signal.too_many_targets": Code("Invalid input", "输入无效",
                                    "信号“{signal}”将到达 {count} 个等待点，超过上限 {limit}，"
                                    "未投递"),
    "process.not_in_active_set": Code("Invalid input", "输入无效",
                                      "启用的图集中没有流程“{process_id}”"),
    "upload.field_invalid": Code("Invalid input", "输入无效", "表单字段“{field}”在此无效"),
    "upload.form_invalid": Code("Invalid input", "输入无效", "上传表单无效"),
    "upload.no_files": Code("Invalid input", "输入无效", "没有上传图文件"),
    "upload.too_many_files": Code("Invalid input", "输入无效", "一个图集最多 {limit} 个文件"),
    "upload.duplicate_file": Code("Invalid input", "输入无效", "文件“{name}”上传了两次"),
    "upload.file_too_large": Code("Invalid input", "输入无效",
                                  "文件“{name}”超过 {limit} 字节"),
    "upload.bad_zip": Code("Invalid input", "输入无效", "“{name}”不是 zip 压缩包"),
    "upload.zip_too_many_entries": Code("Invalid input", "输入无效",
                                        "“{name}”包含超过 {limit} 个条目"),
    "upload.zip_too_large": Code("Invalid input", "输入无效",
                                 "“{name}”解压后超过 {limit} 字节"),
    "upload.zip_unreadable": Code("Invalid input", "输入无效", "“{name}”无法解压：{reason}"),
    "upload.zip_size_mismatch": Code("Invalid input", "输入无效",
                                     "“{name}”实际大小与其文件头不符"),
    "upload.file_name_invalid": Code("Invalid input", "输入无效", "“{name}”不是可用的文件名"),
    # Decisions
    "decision.not_found": Code("Not found", "未找到",
                               "租户“{tenant}”启用的图集中没有决策“{decision_id}”"),
    "decision.evaluation_failed": Code("Invalid input", "输入无效",
                                       "决策“{decision_id}”无法求值：{reason}"),
    # External tasks (docs/external-tasks.md)
    "external.not_found": Code("Not found", "未找到", "外部任务 {task_id} 不存在"),
    "external.not_worker": Code("Forbidden", "无权操作",
                                "用户“{user}”不是租户“{tenant}”的外部工作者"
                                "（需要 external-worker 组的令牌）"),
    "external.not_worker_or_admin": Code("Forbidden", "无权操作",
                                         "用户“{user}”既不是租户“{tenant}”的外部工作者，"
                                         "也不是其管理员"),
    "external.not_locked_by_worker": Code("Conflict", "冲突",
                                          "外部任务 {task_id} 未被工作者“{worker_id}”锁定："
                                          "锁已过期或由其他工作者持有，请重新获取"),
    "external.variables_undeclared": Code("Invalid input", "输入无效",
                                          "元素“{element}”不接受变量 {keys}；它接受：{accepted}"),
    # Migrating running instances (docs/migration.md)
    "migration.batch_not_found": Code("Not found", "未找到", "迁移批次 {batch_id} 不存在"),
    "migration.batch_running": Code("Conflict", "冲突", "迁移批次 {batch_id} 仍在运行：完成后才能回滚"),
    "migration.batch_rolled_back": Code("Conflict", "冲突", "迁移批次 {batch_id} 已被批次 {by} 回滚"),
    "migration.instance_refused": Code("Conflict", "冲突", "流程实例 {instance_id} 无法迁移：{detail}"),
    "migration.plan_file_invalid": Code("Invalid input", "输入无效", "迁移计划文件无效：{detail}"),
    "migration.same_set": Code("Conflict", "冲突", "源图集与目标图集是同一个"),
    "migration.element_map_invalid": Code("Invalid input", "输入无效", "元素映射引用了图集中不存在的元素"),
    # The change feed: event streams and webhooks (docs/frontend.md)
    "events.too_many_streams": Code("Too many requests", "请求过多",
                                    "用户“{user}”已打开 {limit} 个事件流：请先关闭一个"),
    "events.server_busy": Code("Service unavailable", "服务繁忙",
                               "本服务进程已打开 {limit} 个事件流：请稍后重连"),
    "events.last_event_id_invalid": Code("Invalid input", "输入无效",
                                         "Last-Event-ID 须为非负整数（此前收到的事件 id）"),
    "webhook.not_found": Code("Not found", "未找到", "Webhook {webhook_id} 不存在"),
    "webhook.url_invalid": Code("Invalid input", "输入无效", "Webhook 地址无效：{reason}"),
    "webhook.url_not_allowed": Code("Invalid input", "输入无效",
                                    "Webhook 地址“{host}”指向内网、本机或保留地址，不允许"),
    "events.kinds_invalid": Code("Invalid input", "输入无效", "未知的事件类型：{kinds}"),
    "webhook.too_many": Code("Conflict", "冲突", "租户“{tenant}”已有 {limit} 个 Webhook"),
    # Process instances and the engine
    "instance.not_found": Code("Not found", "未找到", "流程实例 {instance_id} 不存在"),
    "instance.not_running": Code("Conflict", "冲突",
                                 "流程实例 {instance_id} {state}"),
    "instance.version_conflict": Code("Conflict", "冲突",
                                      "流程实例 {instance_id} 被并发修改，请重新读取后再试"),
    "instance.not_waiting": Code("Conflict", "冲突", "流程实例没有在等待此操作：{detail}"),
    "instance.start_forbidden": Code("Forbidden", "无权操作",
                                     "用户“{user}”不能发起流程 {process_id}：只有用户组 {groups} "
                                     "或指定用户可以发起"),
    "instance.not_startable": Code("Forbidden", "无权操作",
                                   "流程 {process_id} 只能由上级流程 {callers} 调用发起，不能直接发起"),
    "engine.step_failed": Code("Process step failed", "流程步骤失败",
                               "流程步骤执行失败：{detail}"),
    "message.sender_forbidden": Code("Forbidden", "无权操作",
                                     "用户“{user}”不能向流程实例 {instance_id} 的元素"
                                     "“{element}”发送消息“{message}”"),
    "message.payload_key_unknown": Code("Invalid input", "输入无效",
                                        "消息“{message}”不接受这些载荷键：{keys}"
                                        "（可接受：{accepted}）"),
    "message.payload_refused": Code("Process step failed", "流程步骤失败",
                                    "流程抛出的消息“{message}”带有接收方不接受的载荷键："
                                    "{keys}"),
    "message.bounce_limit": Code("Process step failed", "流程步骤失败",
                                 "消息“{message}”来回传递次数超过上限"),
    # Tasks and forms
    # Documents (docs/documents.md)
    "document.not_found": Code("Not found", "未找到", "文件 {document_id} 不存在"),
    "document.too_large": Code("Content too large", "文件过大",
                               "文件“{filename}”超过 {limit} 字节"),
    "document.empty": Code("Invalid input", "输入无效", "文件“{filename}”是空的"),
    "document.type_not_allowed": Code("Invalid input", "文件类型不允许",
                                      "文件“{filename}”的类型是 {media_type}，"
                                      "只接受：{allowed}"),
    "document.filename_invalid": Code("Invalid input", "输入无效",
                                      "文件名不可用：应为 1 到 {max} 个字符，不含控制字符"),
    "document.storage_failed": Code("Service unavailable", "服务暂不可用",
                                    "文件存储不可用，未保存任何内容：{detail}"),
    "task.not_found": Code("Not found", "未找到", "任务 {task_id} 不存在"),
    "task.not_candidate": Code("Forbidden", "无权操作",
                               "任务 {task_id} 属于用户组 {groups}；用户“{user}”不在其中"),
    "task.gate_failed": Code("Invalid input", "输入无效",
                             "不满足办理条件，不能完成任务：{clauses}"),
    "task.separation_of_duties": Code("Forbidden", "无权操作",
                                      "用户“{user}”已为{earlier_groups}办理“{earlier}”，"
                                      "不能再为{groups}办理本任务（职责分离）"),
    "task.not_ready": Code("Conflict", "冲突", "任务 {task_id} {state}，不能再办理"),
    "task.claimed_by_other": Code("Forbidden", "无权操作",
                                  "任务 {task_id} 已被“{assignee}”认领"),
    "task.already_claimed": Code("Conflict", "冲突", "任务 {task_id} 已被“{assignee}”认领"),
    "task.version_conflict": Code("Conflict", "冲突", "任务 {task_id} 被并发修改，请刷新后再试"),
    # Task operations (transfer, delegate, urge, copy, comment)
    "task.not_assignee": Code("Forbidden", "无权操作",
                              "任务 {task_id} 由“{assignee}”办理；用户“{user}”不能{action}"),
    "task.not_claimed": Code("Conflict", "冲突", "任务 {task_id} 尚未认领：请先认领再委派"),
    "task.same_user": Code("Invalid input", "输入无效", "不能把任务 {task_id} 交给“{user}”自己"),
    "task.delegation_pending": Code("Conflict", "冲突",
                                    "任务 {task_id} 已委派给“{assignee}”，须由其处理完毕交回"
                                    "“{owner}”后才能{action}"),
    "task.not_delegated": Code("Conflict", "冲突", "任务 {task_id} 没有处于委派中"),
    "task.not_delegate": Code("Forbidden", "无权操作",
                              "任务 {task_id} 委派给了“{assignee}”；用户“{user}”不能交回"),
    "task.urge_not_allowed": Code("Forbidden", "无权操作",
                                  "只有流程发起人“{starter}”或管理员可以催办任务 {task_id}"),
    "task.urge_too_soon": Code("Conflict", "冲突",
                               "任务 {task_id} 已于 {last_urged_at} 催办过；"
                               "每 {minutes} 分钟最多催办一次"),
    "task.cc_not_allowed": Code("Forbidden", "无权操作",
                                "用户“{user}”不能抄送任务 {task_id}：只有办理人、候选人、"
                                "流程发起人或管理员可以"),
    "task.not_copied": Code("Not found", "未找到", "任务 {task_id} 没有抄送给“{user}”"),
    "instance.cc_not_allowed": Code("Forbidden", "无权操作",
                                    "用户“{user}”不能抄送流程实例 {instance_id}：只有发起人、"
                                    "办理过其任务的人或管理员可以"),
    "instance.not_copied": Code("Not found", "未找到", "流程实例 {instance_id} 没有抄送给“{user}”"),
    "task.return_refused": Code("Invalid input", "输入无效", "任务 {task_id} 不能退回到“{to_key}”：{reason}"),
    "task.signers_refused": Code("Invalid input", "输入无效", "任务 {task_id} 不能加签：{reason}"),
    "task.withdraw_refused": Code("Conflict", "冲突", "任务 {task_id} 不能撤回：{reason}"),
    "task.not_completer": Code("Forbidden", "无权操作",
                               "任务 {task_id} 由“{completed_by}”办理；只有办理人可以撤回"),
    "form.invalid": Code("Invalid input", "输入无效", "提交的变量不符合表单：{count} 处错误"),
    # Calendar
    "calendar.source_missing": Code("Invalid input", "输入无效", "请写明安排所依据的通知"),
    "calendar.year_not_loaded": Code("Not found", "未找到", "{year} 年的节假日安排尚未载入"),
    "calendar.date_overflow": Code("Invalid input", "输入无效", "计算超出了可表示的最后日期"),
    "calendar.spec_invalid": Code("Invalid input", "输入无效", "期限写法无效：{reason}"),
    "calendar.start_invalid": Code("Invalid input", "输入无效", "起算日期无效：{reason}"),
    "calendar.arrangement_invalid": Code("Invalid input", "输入无效",
                                         "{year} 年的节假日安排无效：{reason}"),
    "calendar.year_out_of_range": Code("Invalid input", "输入无效", "{year} 年超出日历范围"),
    "calendar.file_invalid": Code("Invalid input", "输入无效", "日历文件无效：{reason}"),
    # Annual plans (plans/)
    "plan.unknown_project": Code("Invalid input", "年度计划不成立",
                                 "本租户没有业务编号为“{business_key}”的项目"),
    "plan.duplicate_project": Code("Invalid input", "年度计划不成立",
                                   "项目“{business_key}”重复列入"),
    "plan.wrong_year": Code("Invalid input", "年度计划不成立",
                            "项目“{business_key}”属于 {plan_year} 年度，不是 {year} 年度"),
    "plan.not_reviewed": Code("Invalid input", "年度计划不成立",
                              "项目“{business_key}”未通过审核、不在等待年度计划（当前：{state}）"),
    "plan.amount_unlisted": Code("Invalid input", "年度计划不成立",
                                 "为未列入计划的项目“{business_key}”填写了金额"),
    "plan.amount_mismatch": Code("Invalid input", "年度计划不成立",
                                 "项目“{business_key}”审核确定的金额是 {reviewed} 万元，"
                                 "不是 {amount} 万元"),
    "plan.total_mismatch": Code("Invalid input", "年度计划不成立",
                                "所列项目合计 {computed} 万元，与填写的合计不符；合计由系统计算"),
    "plan.already_issued": Code("Conflict", "冲突",
                                "{year} 年度计划已经下达：此后完成审核的项目转入下一年度计划"),
    "plan.year_missing": Code("Invalid input", "年度计划不成立",
                              "年度计划流程没有计划年度（plan_year 为 {value}）"),
    "plan.server_variable": Code("Invalid input", "年度计划不成立",
                                 "年度计划流程不能带着 {names} 启动：这些由系统在编制、审定时写入"),
    "plan.not_reader": Code("Forbidden", "无权操作",
                            "租户“{tenant}”的年度计划只对 {groups} 开放；用户“{user}”不在其中"),
}

# Field-level codes (``errors[].code``) of a form's errors, with Chinese messages; the field's
# own values (``{limit}``, ``{options}``) fill them.
FIELD_CODES: dict[str, str] = {
    "required": "必填",
    "type": "类型不对：应为{expected}",
    "format": "格式不对：应为{expected}",
    "one_of": "不是可选值之一（可选：{options}）",
    "minimum": "不能小于 {limit}",
    "maximum": "不能大于 {limit}",
    "min_length": "至少 {limit} 个字符",
    "max_length": "最多 {limit} 个字符",
    "unknown_field": "表单没有这个字段",
    "read_only": "只读字段，不能修改",
    "invalid": "值无效",
    "document_unknown": "不是本流程实例已上传的文件：请先上传，再选择",
    "document_type": "文件类型不符：应为{expected}",
}


def title(code: str, lang: str) -> str | None:
    entry = CODES.get(code)
    if entry is None:
        return None
    return entry.title_zh if lang == "zh" else entry.title


# Task and instance states, as a Chinese detail names them.
STATES_ZH = {"ready": "待办", "completed": "已办结", "cancelled": "已取消", "running": "运行中",
             "suspended": "已挂起", "terminated": "已终止", "error": "出错"}


def detail_zh(code: str, detail: str, params: dict[str, object]) -> str:
    """The Chinese detail of a code, its values filled; the title and the English detail
    when a value is missing (never a half-filled template)."""
    entry = CODES[code]
    if "state" in params:
        params = {**params, "state": STATES_ZH.get(str(params["state"]), params["state"])}
    try:
        return entry.detail_zh.format(**{**params, "detail": detail})
    except (KeyError, IndexError, ValueError):
        return f"{entry.title_zh}：{detail}"
