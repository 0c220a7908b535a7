-- Loonflow 1.0's demo data set (spec section 13.2) plus the manual's 请假申请 example
-- (reference manual 19.2). Ids are fixed so callers written against loonflow's demo work
-- unchanged. The audit time is bound by the loader. The app token row is written by the loader.

INSERT INTO depts (id, name, parent_dept_id, leader, approver, label, creator, gmt_created, gmt_modified) VALUES
 (1, 'loonflow', 0, 'admin', 'admin', '', 'admin', :now, :now),
 (2, '人事部', 1, 'hr', 'hr', '', 'admin', :now, :now),
 (3, '行政部', 1, 'admin', 'admin', '', 'admin', :now, :now),
 (4, '技术部', 1, 'lilian', 'lilian', '', 'admin', :now, :now),
 (5, '交易部', 4, 'david', 'david', '', 'admin', :now, :now),
 (6, '商品部', 4, 'goods_1', 'goods_1,goods_2', '', 'admin', :now, :now),
 (7, '运维部', 4, 'ops', 'ops', '', 'admin', :now, :now);

INSERT INTO users (id, username, alias, email, phone, dept_id, is_active, is_admin, is_workflow_admin, creator, gmt_created, gmt_modified) VALUES
 (1, 'admin', '超级管理员', 'admin@111.com', '', 1, 1, 1, 0, 'admin', :now, :now),
 (2, 'webb', 'webb', 'webb@1111.com', '', 1, 1, 0, 0, 'admin', :now, :now),
 (3, 'ops', 'ops', 'ops@1111.com', '', 7, 1, 0, 0, 'admin', :now, :now),
 (4, 'hr', 'hr', 'hr@1111.com', '', 2, 1, 0, 0, 'admin', :now, :now),
 (5, 'scm', 'scm', 'scm@1111.com', '', 3, 1, 0, 0, 'admin', :now, :now),
 (6, 'lilian', '李亮', 'lilian@1111.com', '', 4, 1, 0, 0, 'admin', :now, :now),
 (7, 'david', '大卫', 'dawid@1111.com', '', 5, 1, 0, 0, 'admin', :now, :now),
 (8, 'goods_1', 'goods_1', 'goods_1@1111.com', '', 6, 1, 0, 0, 'admin', :now, :now),
 (10, 'goods_2', 'goods_2', 'goods_2@1111.com', '', 6, 1, 0, 0, 'admin', :now, :now),
 (11, 'ops2', 'ops2', 'ops2@1111.com', '', 7, 1, 0, 0, 'admin', :now, :now);

INSERT INTO roles (id, name, description, label, creator, gmt_created, gmt_modified) VALUES
 (1, '运维人员', '运维人员', '{}', 'admin', :now, :now);

INSERT INTO user_roles (id, user_id, role_id, creator, gmt_created, gmt_modified) VALUES
 (1, 3, 1, 'admin', :now, :now),
 (2, 11, 1, 'admin', :now, :now);

INSERT INTO workflows (id, name, description, notices, view_permission_check, limit_expression, display_form_str, title_template, content_template, creator, gmt_created, gmt_modified) VALUES
 (1, '请假流程', '请假流程', '', 0, '{}', '["title","sn","gmt_created","state.state_name","participant_info.participant_name","workflow.workflow_name"]', '你有一个待办工单:{title}', '标题:{title}, 创建时间:{gmt_created}', 'admin', :now, :now),
 (2, 'vpn申请', 'vpn权限申请', '', 0, '{}', '["title","sn","gmt_created","state.state_name","participant_info.participant_name","workflow.workflow_name"]', '你有一个待办工单:{title}', '标题:{title}, 创建时间:{gmt_created}', 'admin', :now, :now),
 (3, '请假申请', '请假申请', '', 0, '{}', '["title","sn","creator","gmt_created","state.state_name","participant_info.participant_name","workflow.workflow_name","leave_start","leave_end","leave_days","leave_type"]', '你有一个待办工单:{title}', '标题:{title}, 创建时间:{gmt_created}', 'admin', :now, :now);

INSERT INTO custom_fields (id, workflow_id, field_type_id, field_key, field_name, order_id, default_value, description, field_template, boolean_field_display, field_choice, label, creator, gmt_created, gmt_modified) VALUES
 (1, 1, 30, 'date_start', '开始日期', 30, '', '请选择请假开始日期', '', '{}', '{}', '{}', 'admin', :now, :now),
 (2, 1, 30, 'date_end', '截止时间', 31, '', '请假截止时间', '', '{}', '{}', '{}', 'admin', :now, :now),
 (3, 1, 55, 'reason', '请假原因', 200, '', '请填写请假原因', '', '{}', '{}', '{}', 'admin', :now, :now),
 (4, 2, 55, 'reason', '申请原因', 200, '', '', '', '{}', '{}', '{}', 'admin', :now, :now),
 (5, 3, 30, 'leave_start', '开始时间', 20, '', '请选择开始时间', '', '{}', '{}', '{}', 'admin', :now, :now),
 (6, 3, 30, 'leave_end', '结束时间', 25, '', '请选择结束时间', '', '{}', '{}', '{}', 'admin', :now, :now),
 (7, 3, 15, 'leave_days', '请假天数(0.5的倍数)', 30, '', '请填写请假天数', '', '{}', '{}', '{}', 'admin', :now, :now),
 (8, 3, 60, 'leave_proxy', '代理人', 35, '', '请选择代理人', '', '{}', '{}', '{}', 'admin', :now, :now),
 (9, 3, 40, 'leave_type', '请假类型', 40, '', '请选择请假类型', '', '{}', '{"1":"年假","2":"调休","3":"病假","4":"婚假"}', '{}', 'admin', :now, :now),
 (10, 3, 55, 'leave_reason', '请假原因及相关附件', 45, '', '请填写请假原因', '', '{}', '{}', '{}', 'admin', :now, :now);

INSERT INTO states (id, name, workflow_id, is_hidden, order_id, type_id, enable_retreat, remember_last_man_enable, participant_type_id, participant, distribute_type_id, state_field_str, label, creator, gmt_created, gmt_modified) VALUES
 (1, '发起人-编辑中', 1, 0, 0, 1, 0, 0, 0, '', 2, '{"title":2,"reason":2,"date_start":2,"date_end":2}', '{}', 'admin', :now, :now),
 (2, 'tl审批中', 1, 0, 1, 0, 0, 0, 5, 'creator_tl', 2, '{"title":1,"reason":1,"date_start":1,"date_end":1,"participant_info.participant_name":1,"state.state_name":1,"workflow.workflow_name":1}', '{}', 'admin', :now, :now),
 (3, '人事审批中', 1, 0, 3, 0, 0, 0, 3, '2', 2, '{"title":1,"reason":1,"date_start":1,"date_end":1,"participant_info.participant_name":1,"state.state_name":1,"workflow.workflow_name":1}', '{}', 'admin', :now, :now),
 (4, '结束', 1, 0, 4, 2, 0, 0, 0, '', 2, '{"title":1,"reason":1,"date_start":1,"date_end":1,"participant_info.participant_name":1,"state.state_name":1,"workflow.workflow_name":1}', '{}', 'admin', :now, :now),
 (5, '发起人-新建中', 2, 0, 1, 1, 0, 0, 0, '', 2, '{"title":2,"reason":2}', '{}', 'admin', :now, :now),
 (6, '运维人员-审批中', 2, 0, 2, 0, 0, 0, 4, '1', 2, '{"title":1,"reason":1,"participant_info.participant_name":1,"state.state_name":1,"workflow.workflow_name":1}', '{}', 'admin', :now, :now),
 (7, 'vpn授权中', 2, 0, 3, 0, 0, 0, 10, '{"hook_url":"http://127.0.0.1:9/vpn-grant","hook_token":"xxxx","wait":false,"extra_info":"xxxx"}', 2, '{"title":1,"reason":1,"participant_info.participant_name":1,"state.state_name":1,"workflow.workflow_name":1}', '{}', 'admin', :now, :now),
 (8, '发起人-确认中', 2, 0, 4, 0, 0, 0, 5, 'creator', 2, '{"title":1,"reason":1,"participant_info.participant_name":1,"state.state_name":1,"workflow.workflow_name":1}', '{}', 'admin', :now, :now),
 (9, '结束', 2, 0, 5, 2, 0, 0, 0, '', 2, '{"title":1,"reason":1,"participant_info.participant_name":1,"state.state_name":1,"workflow.workflow_name":1}', '{}', 'admin', :now, :now),
 (10, '新建中', 3, 0, 0, 1, 0, 0, 0, '', 1, '{"title":2,"leave_start":2,"leave_end":2,"leave_days":2,"leave_proxy":2,"leave_type":2,"leave_reason":2}', '{}', 'admin', :now, :now),
 (11, '发起人-编辑中', 3, 1, 2, 0, 0, 0, 5, 'creator', 1, '{"sn":1,"title":3,"creator":1,"gmt_created":1,"state.state_name":1,"leave_start":3,"leave_end":3,"leave_days":3,"leave_proxy":3,"leave_type":3,"leave_reason":3}', '{}', 'admin', :now, :now),
 (12, 'TL审批中', 3, 0, 3, 0, 1, 1, 5, 'creator_tl', 3, '{"sn":1,"title":1,"creator":1,"gmt_created":1,"leave_start":1,"leave_end":1,"leave_days":1,"leave_proxy":1,"leave_type":1,"leave_reason":1}', '{"tech_er_in":"qa"}', 'admin', :now, :now),
 (13, '人事部门-处理中', 3, 0, 4, 0, 0, 0, 1, 'admin', 1, '{"sn":1,"title":1,"creator":1,"gmt_created":1,"leave_start":1,"leave_end":1,"leave_days":1,"leave_proxy":1,"leave_type":1,"leave_reason":1}', '{}', 'admin', :now, :now),
 (14, '结束', 3, 0, 6, 2, 0, 0, 0, '', 1, '{}', '{}', 'admin', :now, :now);

INSERT INTO transitions (id, name, workflow_id, transition_type_id, timer, source_state_id, destination_state_id, condition_expression, attribute_type_id, field_require_check, alert_enable, alert_text, creator, gmt_created, gmt_modified) VALUES
 (1, '提交', 1, 1, 0, 1, 2, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (2, '同意', 1, 1, 0, 2, 3, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (3, '拒绝', 1, 1, 0, 2, 1, '[]', 2, 0, 0, '', 'admin', :now, :now),
 (4, '同意', 1, 1, 0, 3, 4, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (5, '拒绝', 1, 1, 0, 3, 1, '[]', 2, 0, 0, '', 'admin', :now, :now),
 (6, '提交', 2, 1, 0, 5, 6, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (7, '拒绝', 2, 1, 0, 6, 5, '[]', 2, 0, 0, '', 'admin', :now, :now),
 (8, '同意', 2, 1, 0, 6, 7, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (9, '完成', 2, 1, 0, 7, 8, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (10, '确认完成', 2, 1, 0, 8, 9, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (11, '权限未成功开通', 2, 1, 0, 8, 6, '[]', 2, 0, 0, '', 'admin', :now, :now),
 (12, '提交', 3, 1, 0, 10, 12, '[]', 1, 1, 0, '', 'admin', :now, :now),
 (13, '保存', 3, 1, 0, 10, 11, '[]', 3, 0, 0, '', 'admin', :now, :now),
 (14, '提交', 3, 1, 0, 11, 12, '[]', 1, 1, 0, '', 'admin', :now, :now),
 (15, '同意', 3, 1, 0, 12, 13, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (16, '拒绝', 3, 1, 0, 12, 11, '[]', 2, 0, 1, '确定退回给发起人修改吗?', 'admin', :now, :now),
 (17, '同意', 3, 1, 0, 13, 14, '[]', 1, 0, 0, '', 'admin', :now, :now),
 (18, '拒绝', 3, 1, 0, 13, 11, '[]', 2, 0, 1, '确定退回给发起人修改吗?', 'admin', :now, :now);
