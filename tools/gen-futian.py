#!/usr/bin/env python3
"""Generate conf/futian/ (territory, systems, users, tokens, hub.json) from
shared/data/futian-divisions.json.  Deterministic: the same input gives the
same output byte for byte.  Python 3 standard library only.

  tools/gen-futian.py [--data PATH] [--out DIR]
"""
import argparse
import hashlib
import json
import os
import random
import sys

PINYIN = {
    '一': 'yi', '三': 'san', '上': 'shang', '下': 'xia', '东': 'dong',
    '中': 'zhong', '丰': 'feng', '二': 'er', '京': 'jing', '亭': 'ting',
    '侨': 'qiao', '保': 'bao', '全': 'quan', '兴': 'xing', '农': 'nong',
    '北': 'bei', '华': 'hua', '南': 'nan', '厦': 'xia', '口': 'kou',
    '嘴': 'zui', '园': 'yuan', '围': 'wei', '圩': 'xu', '地': 'di',
    '城': 'cheng', '埔': 'pu', '天': 'tian', '头': 'tou', '孖': 'ma',
    '安': 'an', '富': 'fu', '尾': 'wei', '山': 'shan', '岗': 'gang',
    '岭': 'ling', '岸': 'an', '巴': 'ba', '康': 'kang', '强': 'qiang',
    '彩': 'cai', '新': 'xin', '明': 'ming', '景': 'jing', '月': 'yue',
    '木': 'mu', '村': 'cun', '林': 'lin', '梅': 'mei', '欣': 'xin',
    '民': 'min', '水': 'shui', '江': 'jiang', '沙': 'sha', '河': 'he',
    '洲': 'zhou', '海': 'hai', '渔': 'yu', '港': 'gang', '湾': 'wan',
    '滨': 'bin', '狮': 'shi', '玉': 'yu', '田': 'tian', '登': 'deng',
    '皇': 'huang', '益': 'yi', '盛': 'sheng', '石': 'shi', '碧': 'bi',
    '福': 'fu', '竹': 'zhu', '紫': 'zi', '红': 'hong', '翠': 'cui',
    '翰': 'han', '航': 'hang', '花': 'hua', '荆': 'jing', '荔': 'li',
    '莲': 'lian', '虹': 'hong', '蜜': 'mi', '西': 'xi', '赤': 'chi',
    '通': 'tong', '都': 'du', '金': 'jin', '锦': 'jin', '镇': 'zhen',
    '长': 'chang', '阁': 'ge', '面': 'mian', '香': 'xiang', '鹏': 'peng',
    '黄': 'huang', '龙': 'long',
}

SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁'
GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉力斌波宁欣怡浩然思远嘉慧志海晓'

DEPARTMENTS = [
    ('city-management', '城市管理和综合执法局', 'Urban management'),
    ('police', '公安分局', 'Police'),
    ('emergency', '应急管理局', 'Emergency management'),
    ('fire', '消防救援大队', 'Fire and rescue'),
    ('environment', '生态环境分局', 'Ecology and environment'),
    ('water', '水务局', 'Water affairs'),
    ('traffic', '交通运输局', 'Traffic and transport'),
    ('health', '卫生健康局', 'Health'),
    ('civil-affairs', '民政局', 'Civil affairs'),
    ('market', '市场监督管理局', 'Market supervision'),
    ('finance', '金融工作局', 'Financial risk'),
    ('rental-housing', '出租屋综合管理所', 'Rental housing'),
    ('education', '教育局', 'Education'),
    ('gov-services', '政务服务数据管理局', 'Government services / 12345 hotline'),
    ('housing', '住房和建设局', 'Housing and construction'),
    ('big-data', '大数据中心', 'Big-data center'),
    ('planning', '规划土地监察局', 'Planning and land'),
    ('economy', '发展和改革局', 'Development and reform'),
    ('justice', '司法局', 'Justice'),
    ('human-resources', '人力资源局', 'Human resources'),
]

# (id, name, name_en, platform, dept, coverage, interval_s, metrics)
# coverage: 'district', 'low-lying', 'sample:N' (every Nth grid), or a
# list filled in below.
SYSTEMS = [
    # ---- 预警监测平台 monitoring
    ('water-level-iot', '内涝积水监测系统', 'Waterlogging level sensors', 'monitoring', 'water', 'low-lying', 60, ['water_level']),
    ('rain-gauge', '雨量监测系统', 'Rain gauges', 'monitoring', 'water', 'sample:4', 60, ['water_rainfall']),
    ('river-level', '河道水位监测系统', 'River level monitoring', 'monitoring', 'water', 'low-lying', 60, ['river_level_m']),
    ('reservoir-safety', '水库山塘安全监测', 'Reservoir safety monitoring', 'monitoring', 'water', 'district', 300, ['reservoir_level_m']),
    ('pump-station', '排涝泵站监控系统', 'Drainage pump stations', 'monitoring', 'water', 'low-lying', 30, ['pump_running']),
    ('air-quality', '空气质量监测系统', 'Air quality monitoring', 'monitoring', 'environment', 'sample:2', 60, ['env_aqi', 'env_pm25']),
    ('noise-monitor', '噪声监测系统', 'Noise monitoring', 'monitoring', 'environment', 'sample:3', 60, ['env_noise_db']),
    ('water-quality', '水质在线监测系统', 'Water quality monitoring', 'monitoring', 'environment', 'low-lying', 300, ['water_quality_cod']),
    ('pollution-source', '污染源在线监控系统', 'Pollution source monitoring', 'monitoring', 'environment', 'district', 300, ['pollution_exceed']),
    ('fire-alarm-iot', '消防物联网报警系统', 'Fire alarm IoT', 'monitoring', 'fire', 'district', 30, ['fire_alarm_active']),
    ('smoke-detector', '独立式烟感监测系统', 'Smoke detectors', 'monitoring', 'fire', 'sample:2', 60, ['smoke_alarm_active']),
    ('fire-hydrant', '消防栓水压监测系统', 'Fire hydrant pressure', 'monitoring', 'fire', 'sample:3', 300, ['hydrant_pressure_mpa']),
    ('gas-leak', '燃气泄漏监测系统', 'Gas leak detection', 'monitoring', 'emergency', 'sample:3', 60, ['gas_ppm']),
    ('slope-monitor', '边坡地质灾害监测系统', 'Slope and landslide monitoring', 'monitoring', 'emergency', 'district', 300, ['slope_shift_mm']),
    ('typhoon-warning', '台风暴雨预警系统', 'Typhoon and rainstorm warning', 'monitoring', 'emergency', 'district', 300, ['weather_warning_level']),
    ('hazardous-chem', '危险化学品监管系统', 'Hazardous chemicals supervision', 'monitoring', 'emergency', 'district', 300, ['hazchem_sites_alarm']),
    ('building-safety', '危房安全监测系统', 'Dangerous building monitoring', 'monitoring', 'housing', 'sample:5', 300, ['building_tilt_deg']),
    ('construction-dust', '工地扬尘监测系统', 'Construction site dust', 'monitoring', 'housing', 'sample:5', 60, ['site_pm10']),
    ('tower-crane', '塔吊安全监测系统', 'Tower crane safety', 'monitoring', 'housing', 'sample:7', 60, ['crane_load_pct']),
    ('traffic-flow', '交通流量监测系统', 'Traffic flow monitoring', 'monitoring', 'traffic', 'sample:2', 60, ['traffic_flow', 'traffic_speed', 'traffic_congestion']),
    ('traffic-signal', '智能信号灯控制系统', 'Traffic signal control', 'monitoring', 'traffic', 'sample:3', 60, ['signal_fault']),
    ('parking-guidance', '停车诱导系统', 'Parking guidance', 'monitoring', 'traffic', 'sample:4', 120, ['parking_free']),
    ('metro-passenger', '地铁客流监测系统', 'Metro passenger flow', 'monitoring', 'traffic', 'sample:6', 60, ['metro_passengers']),
    ('bus-operation', '公交运营监测系统', 'Bus operation monitoring', 'monitoring', 'traffic', 'district', 60, ['bus_on_time_pct']),
    ('public-opinion', '网络舆情监测系统', 'Public opinion monitoring', 'monitoring', 'big-data', 'district', 300, ['opinion_negative', 'opinion_mentions']),
    ('financial-risk', '金融风险监测预警系统', 'Financial risk early warning', 'monitoring', 'finance', 'district', 300, ['finance_enterprises']),
    ('illegal-fundraising', '非法集资监测系统', 'Illegal fund-raising monitoring', 'monitoring', 'finance', 'district', 300, ['fundraising_cases']),
    ('crowd-density', '重点区域人流监测系统', 'Crowd density monitoring', 'monitoring', 'police', 'sample:4', 60, ['crowd_density']),
    ('elevator-safety', '电梯安全监测系统', 'Elevator safety', 'monitoring', 'market', 'sample:3', 60, ['elevator_trapped']),
    ('food-safety', '食品安全追溯系统', 'Food safety tracing', 'monitoring', 'market', 'district', 300, ['food_samples_failed']),
    ('power-supply', '电力运行监测系统', 'Power supply monitoring', 'monitoring', 'emergency', 'district', 60, ['power_outage_households']),
    # ---- 综合治理平台 governance
    ('grid-events', '网格事件分拨系统', 'Grid event dispatch', 'governance', 'city-management', 'district', 60, ['grid_events_open']),
    ('digital-city-mgmt', '数字城管案件系统', 'Digital urban management cases', 'governance', 'city-management', 'district', 60, ['city_cases_open']),
    ('rental-housing-mgmt', '出租屋综合管理系统', 'Rental housing management', 'governance', 'rental-housing', 'district', 300, ['rental_unregistered']),
    ('population-mgmt', '实有人口管理系统', 'Resident population management', 'governance', 'police', 'district', 300, ['population_registered']),
    ('urban-village', '城中村综合治理系统', 'Urban village governance', 'governance', 'city-management', 'district', 300, ['village_issues_open']),
    ('illegal-building', '违法建筑巡查系统', 'Illegal construction patrol', 'governance', 'planning', 'district', 300, ['illegal_building_cases']),
    ('street-order', '市容秩序巡查系统', 'Street order patrol', 'governance', 'city-management', 'district', 120, ['street_order_cases']),
    ('sanitation', '环卫作业监管系统', 'Sanitation operations', 'governance', 'city-management', 'district', 120, ['sanitation_vehicles_active']),
    ('garbage-sorting', '垃圾分类监管系统', 'Waste sorting supervision', 'governance', 'city-management', 'district', 300, ['garbage_sorting_pct']),
    ('safety-inspection', '安全生产检查系统', 'Work safety inspection', 'governance', 'emergency', 'district', 300, ['safety_hazards_open']),
    ('emergency-command', '应急指挥调度系统', 'Emergency command and dispatch', 'governance', 'emergency', 'district', 60, ['emergency_incidents_active']),
    ('joint-response', '应急联动处置系统', 'Joint emergency response', 'governance', 'emergency', 'district', 60, ['joint_tasks_open']),
    ('community-correction', '社区矫正管理系统', 'Community correction', 'governance', 'justice', 'district', 600, ['correction_checkins_missed']),
    ('petition', '信访业务系统', 'Petitions', 'governance', 'gov-services', 'district', 300, ['petitions_open']),
    ('dispute-mediation', '矛盾纠纷调解系统', 'Dispute mediation', 'governance', 'justice', 'district', 300, ['disputes_open']),
    ('school-safety', '校园安全管理系统', 'School safety', 'governance', 'education', 'sample:5', 120, ['school_alarm']),
    # ---- 决策支持平台 decision
    ('city-vitals', '城市运行体征系统', 'City vital signs', 'decision', 'big-data', 'district', 60, ['city_vitals_index']),
    ('economic-analysis', '经济运行分析系统', 'Economic analysis', 'decision', 'economy', 'district', 3600, ['economy_index']),
    ('population-analysis', '人口结构分析系统', 'Population analysis', 'decision', 'big-data', 'district', 3600, ['population_index']),
    ('spatial-planning', '空间规划辅助决策系统', 'Spatial planning support', 'decision', 'planning', 'district', 3600, ['planning_projects']),
    ('traffic-analysis', '交通态势研判系统', 'Traffic situation analysis', 'decision', 'traffic', 'district', 300, ['traffic_index']),
    ('risk-assessment', '城市安全风险评估系统', 'City safety risk assessment', 'decision', 'emergency', 'district', 900, ['risk_index', 'water_level_forecast']),
    ('enterprise-profile', '企业画像分析系统', 'Enterprise profiles', 'decision', 'market', 'district', 3600, ['enterprises_active']),
    ('health-statistics', '卫生健康统计分析系统', 'Health statistics', 'decision', 'health', 'district', 3600, ['health_index']),
    ('school-places', '学位预测分析系统', 'School place forecasting', 'decision', 'education', 'district', 3600, ['school_places_gap']),
    ('fiscal-performance', '财政绩效分析系统', 'Fiscal performance', 'decision', 'finance', 'district', 3600, ['fiscal_index']),
    ('hotline-analysis', '诉求热点分析系统', 'Hotline hot-spot analysis', 'decision', 'gov-services', 'district', 900, ['hotline_hotspots', 'hotline_cases_daily']),
    # ---- 公共服务平台 service
    ('hotline-12345', '12345政务服务热线系统', '12345 hotline', 'service', 'gov-services', 'district', 60, ['hotline_tickets', 'hotline_waiting', 'hotline_cases_new', 'hotline_cases_overdue', 'hotline_satisfaction_pct']),
    ('district-service-hall', '区行政服务大厅系统', 'District service hall', 'service', 'gov-services', 'district', 60, ['service_queue']),
    ('i-futian', 'i福田政务服务APP', 'i Futian app', 'service', 'gov-services', 'district', 60, ['app_requests_per_min']),
    ('online-approval', '网上办事审批系统', 'Online approvals', 'service', 'gov-services', 'district', 120, ['approvals_pending']),
    ('self-service-kiosk', '政务自助终端系统', 'Self-service kiosks', 'service', 'gov-services', 'sample:6', 120, ['kiosk_online']),
    ('hospital-booking', '预约挂号系统', 'Hospital appointments', 'service', 'health', 'district', 120, ['bookings_per_min']),
    ('community-health', '社康中心服务系统', 'Community health centers', 'service', 'health', 'sample:8', 300, ['clinic_queue']),
    ('vaccination', '预防接种服务系统', 'Vaccination service', 'service', 'health', 'district', 300, ['vaccinations_today']),
    ('school-enrolment', '学位申请系统', 'School enrolment', 'service', 'education', 'district', 300, ['enrolment_applications']),
    ('elderly-care', '智慧养老服务系统', 'Elderly care', 'service', 'civil-affairs', 'sample:5', 300, ['elderly_sos']),
    ('social-assistance', '社会救助系统', 'Social assistance', 'service', 'civil-affairs', 'district', 600, ['assistance_cases']),
    ('employment-service', '就业服务系统', 'Employment service', 'service', 'human-resources', 'district', 600, ['job_postings']),
    ('business-registration', '商事登记系统', 'Business registration', 'service', 'market', 'district', 300, ['registrations_today']),
    ('consumer-complaints', '消费投诉处理系统', 'Consumer complaints (12315)', 'service', 'market', 'district', 300, ['complaints_open']),
    ('public-wifi', '公共WiFi服务系统', 'Public Wi-Fi', 'service', 'big-data', 'sample:4', 120, ['wifi_users']),
    # ---- 基础技术平台 infrastructure
    ('gov-cloud', '政务云平台', 'Government cloud', 'infrastructure', 'big-data', 'district', 30, ['cloud_cpu_pct']),
    ('egov-network', '电子政务外网', 'E-government network', 'infrastructure', 'big-data', 'district', 30, ['network_loss_pct']),
    ('data-exchange', '数据共享交换平台', 'Data sharing and exchange', 'infrastructure', 'big-data', 'district', 60, ['exchange_records_per_min']),
    ('data-lake', '区大数据资源中心', 'District data lake', 'infrastructure', 'big-data', 'district', 300, ['datalake_records']),
    ('identity-auth', '统一身份认证平台', 'Unified identity', 'infrastructure', 'big-data', 'district', 60, ['auth_failures']),
    ('spatial-info', '时空信息云平台', 'Spatio-temporal information', 'infrastructure', 'planning', 'district', 300, ['map_tiles_served']),
    ('video-cloud', '视频云平台', 'Video cloud', 'infrastructure', 'police', 'district', 60, ['cameras_online_pct']),
    ('iot-platform', '物联感知平台', 'IoT sensing platform', 'infrastructure', 'big-data', 'district', 60, ['iot_devices_online']),
    ('security-ops', '网络安全态势感知平台', 'Network security operations', 'infrastructure', 'big-data', 'district', 60, ['security_events']),
    ('disaster-backup', '灾备中心', 'Disaster recovery center', 'infrastructure', 'big-data', 'district', 300, ['backup_lag_s']),
    ('unified-messaging', '统一消息平台', 'Unified messaging', 'infrastructure', 'big-data', 'district', 60, ['messages_queued']),
]

# Per-subdistrict systems: (id suffix, name suffix, name_en, platform, dept, interval, metrics)
PER_SUBDISTRICT = [
    ('grid-station', '网格化管理工作站', 'grid management station', 'governance', 'city-management', 60, ['grid_patrols_active']),
    ('service-hall', '党群服务中心', 'service hall', 'service', 'gov-services', 60, ['service_queue']),
    ('video', '视频监控联网系统', 'video surveillance', 'monitoring', 'police', 60, ['cameras_online_pct']),
]

# What each metric is (systems.json "metrics" objects, docs/api.md "Data
# quality"): unit, the territory level it is reported per ("per"; default:
# grid for systems covering grids, subdistrict for district-wide ones),
# the valid range, the largest plausible step between readings, counters
# that never decrease, and one label dimension.
HOTLINE_CATEGORIES = ['housing', 'traffic', 'environment', 'market', 'public-order', 'other']
METRICS = {
    'water_level': {'unit': 'm', 'range': [-1, 10], 'max_step': 3},
    'water_rainfall': {'unit': 'mm/h', 'range': [0, 300]},
    'river_level_m': {'unit': 'm', 'range': [-1, 12], 'max_step': 3},
    'reservoir_level_m': {'unit': 'm', 'per': 'district', 'range': [0, 60], 'max_step': 2},
    'pump_running': {'unit': 'pumps', 'range': [0, 20]},
    'env_aqi': {'unit': 'AQI', 'range': [0, 500]},
    'env_pm25': {'unit': 'ug/m3', 'range': [0, 1000]},
    'env_noise_db': {'unit': 'dB(A)', 'range': [20, 130]},
    'water_quality_cod': {'unit': 'mg/L', 'range': [0, 500]},
    'pollution_exceed': {'unit': 'sources', 'range': [0, 1000]},
    'fire_alarm_active': {'unit': 'alarms', 'range': [0, 1000]},
    'smoke_alarm_active': {'unit': 'alarms', 'range': [0, 100]},
    'hydrant_pressure_mpa': {'unit': 'MPa', 'range': [0, 2]},
    'gas_ppm': {'unit': 'ppm', 'range': [0, 10000]},
    'slope_shift_mm': {'unit': 'mm', 'per': 'district', 'range': [0, 500]},
    'weather_warning_level': {'unit': 'level', 'per': 'district', 'range': [0, 4]},
    'hazchem_sites_alarm': {'unit': 'sites', 'range': [0, 100]},
    'building_tilt_deg': {'unit': 'deg', 'range': [0, 10]},
    'site_pm10': {'unit': 'ug/m3', 'range': [0, 2000]},
    'crane_load_pct': {'unit': '%', 'range': [0, 150]},
    'traffic_flow': {'unit': 'vehicles/h', 'range': [0, 20000]},
    'traffic_speed': {'unit': 'km/h', 'range': [0, 150]},
    'traffic_congestion': {'unit': 'index', 'range': [0, 10]},
    'signal_fault': {'unit': 'signals', 'range': [0, 50]},
    'parking_free': {'unit': 'spaces', 'range': [0, 5000]},
    'metro_passengers': {'unit': 'passengers/10min', 'range': [0, 50000]},
    'bus_on_time_pct': {'unit': '%', 'range': [0, 100]},
    'opinion_negative': {'unit': 'posts/h', 'per': 'district', 'range': [0, 100000]},
    'opinion_mentions': {'unit': 'posts/h', 'range': [0, 100000]},
    'finance_enterprises': {'unit': 'enterprises', 'per': 'grid', 'range': [0, 100000],
                            'labels': {'level': ['high', 'medium', 'low']}},
    'fundraising_cases': {'unit': 'cases', 'range': [0, 10000]},
    'crowd_density': {'unit': 'people/m2', 'range': [0, 10]},
    'elevator_trapped': {'unit': 'people', 'range': [0, 50]},
    'food_samples_failed': {'unit': 'samples', 'range': [0, 1000]},
    'power_outage_households': {'unit': 'households', 'range': [0, 100000]},
    'hotline_tickets': {'unit': 'tickets/10min', 'range': [0, 10000]},
    'hotline_waiting': {'unit': 'callers', 'per': 'district', 'range': [0, 2000]},
    'hotline_cases_new': {'unit': 'cases/h', 'range': [0, 10000],
                          'labels': {'category': HOTLINE_CATEGORIES}},
    'hotline_cases_overdue': {'unit': 'cases', 'range': [0, 10000]},
    'hotline_satisfaction_pct': {'unit': '%', 'range': [0, 100]},
    'hotline_cases_daily': {'unit': 'cases/day', 'range': [0, 100000]},
    'hotline_hotspots': {'unit': 'hot spots', 'per': 'district', 'range': [0, 100]},
    'water_level_forecast': {'unit': 'm', 'per': 'grid', 'range': [-1, 10]},
    'service_queue': {'unit': 'people', 'range': [0, 2000]},
    'cameras_online_pct': {'unit': '%', 'range': [0, 100]},
    'grid_patrols_active': {'unit': 'patrols', 'range': [0, 1000]},
    'school_alarm': {'unit': 'alarms', 'range': [0, 50]},
    'kiosk_online': {'unit': 'kiosks', 'range': [0, 20]},
    'clinic_queue': {'unit': 'people', 'range': [0, 500]},
    'elderly_sos': {'unit': 'calls', 'range': [0, 100]},
    'wifi_users': {'unit': 'users', 'range': [0, 100000]},
    'cloud_cpu_pct': {'unit': '%', 'per': 'district', 'range': [0, 100]},
    'network_loss_pct': {'unit': '%', 'per': 'district', 'range': [0, 100]},
    'datalake_records': {'unit': 'records', 'per': 'district', 'range': [0, 1e13], 'monotonic': True},
    'registrations_today': {'unit': 'registrations', 'range': [0, 100000]},
    'vaccinations_today': {'unit': 'doses', 'range': [0, 100000]},
}
# Figures of the whole district (one series, no place tag).
DISTRICT_WIDE = ('city_vitals_index', 'economy_index', 'population_index', 'planning_projects',
                 'traffic_index', 'risk_index', 'enterprises_active', 'health_index',
                 'school_places_gap', 'fiscal_index', 'app_requests_per_min', 'approvals_pending',
                 'bookings_per_min', 'enrolment_applications', 'job_postings', 'exchange_records_per_min',
                 'auth_failures', 'map_tiles_served', 'iot_devices_online', 'security_events',
                 'backup_lag_s', 'messages_queued', 'population_registered', 'bus_on_time_pct')


def metric_spec(name, cov, per_subdistrict=False):
    spec = {'name': name}
    spec.update(METRICS.get(name, {}))
    if 'per' not in spec:
        if per_subdistrict:
            spec['per'] = 'community' if name == 'service_queue' else 'subdistrict'
        elif name in DISTRICT_WIDE:
            spec['per'] = 'district'
        elif cov == 'district':
            spec['per'] = 'district' if name == 'service_queue' else 'subdistrict'
        else:
            spec['per'] = 'grid'
    if 'unit' not in spec:
        spec['unit'] = 'count'
    if 'range' not in spec:
        spec['range'] = [0, 1e9]
    out = {k: spec[k] for k in ('name', 'unit', 'per', 'range', 'max_step', 'monotonic', 'labels') if k in spec}
    return out


TOTAL_GRIDS = 1000

# The grids the demo's rainstorm floods (conf/futian/collector-demo.json
# "flood_grids"): they get an area and buildings for the grid workers'
# check-ins, all of it invented.
FLOOD_GRIDS = ('440304001003001', '440304001003002', '440304001011001',
               '440304001011002', '440304010001001', '440304010001002',
               '440304010002003')


def demo_buildings(grids):
    """Add an area and three clearly fictitious buildings to each flooded
    grid (a separate random stream: the rest of the output is unchanged)."""
    rnd = random.Random(20261205)
    for i, g in enumerate(x for x in grids if x['code'] in FLOOD_GRIDS):
        lat = round(22.515 + 0.006 * i, 5)
        lon = round(114.035 + 0.009 * i, 5)
        g['area'] = {'lat': lat, 'lon': lon, 'radius_m': 250}
        bs = []
        for b in range(1, 4):
            rooms = []
            for r in range(1, 5):
                rooms.append({'room': '%d%02d' % (rnd.randrange(1, 12), r),
                              'household': '演示住户%02d (虚构 fictitious)' % rnd.randrange(1, 100),
                              'people': rnd.randrange(1, 6),
                              'needs_care': rnd.random() < 0.2})
            bs.append({
                'code': 'FT-%s-%02d' % (g['code'][9:], b),
                'name': '演示楼%d栋 (虚构 demo)' % b,
                'name_en': 'Demo building %d (fictitious)' % b,
                'address': '%s 演示路%d号 (虚构)' % (g['name'], rnd.randrange(1, 200)),
                'lat': round(lat + 0.0008 * (b - 2), 6),
                'lon': round(lon + 0.0006 * (b - 2), 6),
                'floors': rnd.randrange(6, 33),
                'rooms': rooms,
                'enterprises': [{'name': '演示商铺%02d (虚构 fictitious)' % rnd.randrange(1, 100),
                                 'kind': rnd.choice(['餐饮 catering', '零售 retail', '仓储 storage'])}],
            })
        g['buildings'] = bs


LOW_LYING_SUBDISTRICTS = ('440304005000', '440304010000', '440304004000', '440304001000')


def pinyin(name):
    return ''.join(PINYIN.get(ch, ch) for ch in name).capitalize()


def person(rnd):
    return rnd.choice(SURNAMES) + ''.join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def phone(rnd):
    return '0755-%04d-%04d' % (rnd.randrange(8000, 8999), rnd.randrange(0, 10000))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument('--data', default=os.path.join(here, '..', '..', 'shared', 'data', 'futian-divisions.json'))
    ap.add_argument('--out', default=os.path.join(here, '..', 'conf', 'futian'))
    args = ap.parse_args()
    if not os.path.exists(args.data):
        alt = os.path.join(here, '..', '..', '..', 'shared', 'data', 'futian-divisions.json')
        if os.path.exists(alt):
            args.data = alt
    with open(args.data, encoding='utf-8') as f:
        data = json.load(f)
    rnd = random.Random(20261127)

    district = data['district']
    subs, comms, grids = [], [], []
    all_grids_by_sub = {}
    # 1,000 grids dealt round-robin over the 96 communities in file order
    # (10 or 11 each), the same codes as bench/gen.c's district.
    ncomm_total = sum(len(sd['communities']) for sd in data['subdistricts'])
    comm_seq = 0
    for sd in data['subdistricts']:
        subs.append({'code': sd['code'], 'name': sd['name'], 'name_en': sd['name_en']})
        station = sd['name'].replace('街道', '') + '派出所'
        all_grids_by_sub[sd['code']] = []
        for ci, cname in enumerate(sd['communities'], 1):
            ccode = sd['code'][:9] + '%03d' % ci
            comms.append({'code': ccode, 'parent': sd['code'], 'name': cname + '社区',
                          'name_en': pinyin(cname)})
            ngrids = TOTAL_GRIDS // ncomm_total + (1 if comm_seq < TOTAL_GRIDS % ncomm_total else 0)
            comm_seq += 1
            for gi in range(1, ngrids + 1):
                gcode = ccode + '%03d' % gi
                grids.append({
                    'code': gcode, 'parent': ccode,
                    'name': '%s%02d' % (cname, gi),
                    'name_en': '%s %02d' % (pinyin(cname), gi),
                    'people': {
                        'grid_worker': {'name': person(rnd), 'phone': phone(rnd)},
                        'building_head': {'name': person(rnd), 'phone': phone(rnd)},
                        'police': {'name': person(rnd) + '警官', 'phone': phone(rnd), 'station': station},
                    },
                })
                all_grids_by_sub[sd['code']].append(gcode)

    demo_buildings(grids)
    territory = {
        'district': {'code': district['code'], 'name': district['name'], 'name_en': district['name_en']},
        'subdistricts': subs,
        'communities': comms,
        'grids': grids,
        'map': {'rows': data['map_layout_approx']['rows']},
    }

    grid_codes = [g['code'] for g in grids]
    low_lying = [g for g in grid_codes if g[:12] in
                 [c['code'] for c in comms if c['parent'] in LOW_LYING_SUBDISTRICTS]
                 and int(g[12:]) <= 4]

    def coverage(spec):
        if spec == 'district':
            return [district['code']]
        if spec == 'low-lying':
            return low_lying
        if spec.startswith('sample:'):
            n = int(spec.split(':')[1])
            return grid_codes[::n]
        raise ValueError(spec)

    systems = []
    for sid, name, name_en, plat, dept, cov, interval, metrics in SYSTEMS:
        systems.append({'id': sid, 'name': name, 'name_en': name_en, 'platform': plat,
                        'dept': dept, 'grids': coverage(cov), 'interval': '%ds' % interval,
                        'metrics': [metric_spec(m, cov) for m in metrics]})
    for sd in data['subdistricts']:
        short = sd['name_en'].lower()
        for suffix, nsuffix, en, plat, dept, interval, metrics in PER_SUBDISTRICT:
            systems.append({'id': '%s-%s' % (short, suffix), 'name': sd['name'] + nsuffix,
                            'name_en': '%s %s' % (sd['name_en'], en), 'platform': plat,
                            'dept': dept, 'grids': [sd['code']], 'interval': '%ds' % interval,
                            'metrics': [metric_spec(m, None, True) for m in metrics]})
    catalogue = {
        'departments': [{'id': i, 'name': n, 'name_en': e} for i, n, e in DEPARTMENTS],
        'systems': systems,
    }

    users = {'users': [
        {'name': 'futian-supervisor', 'role': 'supervisor', 'scope': district['code'],
         'display': '区指挥中心值班长'},
        {'name': 'futian-admin', 'role': 'admin', 'scope': district['code'],
         'display': '指挥中心系统管理员'},
        {'name': 'nanyuan-operator', 'role': 'operator', 'scope': '440304001000',
         'display': '南园街道值班员'},
        {'name': 'dongyuan-operator', 'role': 'operator', 'scope': '440304001001',
         'display': '东园社区网格员'},
        {'name': 'futian-viewer', 'role': 'viewer', 'scope': district['code'],
         'display': '大屏只读'},
        {'name': 'shenzhen-city', 'role': 'supervisor', 'scope': district['code'],
         'display': '深圳市城市运行管理中心（市平台）'},
    ]}

    def token(name):
        plain = 'cbt_' + hashlib.sha256(('citybrain-futian-demo/' + name).encode()).hexdigest()[:32]
        return plain, hashlib.sha256(plain.encode()).hexdigest()

    toks = []
    for name, kind, extra, comment in (
            ('futian-demo-collector', 'collector', {'systems': ['*'], 'grids': [district['code']]},
             'demo collector: every system, the whole district'),
            ('nanyuan-collector', 'collector',
             {'systems': [s['id'] for s in systems if s['id'].startswith('nanyuan-')] + ['water-level-iot', 'air-quality'],
              'grids': ['440304001000']},
             'Nanyuan subdistrict servers: its own systems, water and air sensors in Nanyuan only'),
            ('remote-viewer', 'user', {'user': 'futian-viewer'},
             'a remote read-only wall display over TCP'),
            ('city-hub', 'user', {'user': 'shenzhen-city'},
             'the Shenzhen city hub (conf/city) reads and acts on this district with it;'
             ' it checks its own users\' roles and scopes first'),
    ):
        plain, digest = token(name)
        t = {'name': name, 'sha256': digest}
        t.update(extra)
        t['comment'] = comment + ' (DEMO ONLY, plaintext: %s)' % plain
        toks.append(t)
    tokens = {'tokens': toks}

    hub = {
        'listen': '127.0.0.1:8428',
        'territory': 'territory.json',
        'systems': 'systems.json',
        'users': 'users.json',
        'tokens': 'tokens.json',
        'limits': {'max_body': 33554432, 'max_body_decompressed': 268435456,
                   'max_lines': 2000000, 'max_connections': 512, 'timeout': '60s'},
        'retention': {'raw': '15d', 'minute': '90d', 'hour': '730d'},
        'silent_after': '10m',
        'headline': [
            {'name': 'aqi', 'metric': 'env_aqi', 'agg': 'avg', 'unit': ''},
            {'name': 'water_level', 'metric': 'water_level', 'agg': 'max', 'unit': 'm'},
            {'name': 'noise_db', 'metric': 'env_noise_db', 'agg': 'avg', 'unit': 'dB'},
            {'name': 'congestion', 'metric': 'traffic_congestion', 'agg': 'avg', 'unit': ''},
            {'name': 'forecast_3h', 'metric': 'water_level_forecast', 'agg': 'max', 'unit': 'm'},
        ],
    }

    os.makedirs(args.out, exist_ok=True)
    for fname, doc in (('territory.json', territory), ('systems.json', catalogue),
                       ('users.json', users), ('tokens.json', tokens), ('hub.json', hub)):
        path = os.path.join(args.out, fname)
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write('\n')
    print('%d subdistricts, %d communities, %d grids, %d systems -> %s' % (
        len(subs), len(comms), len(grids), len(systems), args.out), file=sys.stderr)


if __name__ == '__main__':
    main()
