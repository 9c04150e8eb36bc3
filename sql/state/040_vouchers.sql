-- The voucher pipeline's state (migration 040): the registry's reference data as
-- last extracted, the LMS contracts and accepted marks, rejects, the acts and
-- their lines, and the status of each voucher-month.
CREATE TABLE voucher_region (
    code VARCHAR(10) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    emitent_bin CHAR(12) NOT NULL,
    emitent_name VARCHAR(300) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_provider (
    bin CHAR(12) NOT NULL PRIMARY KEY,
    name VARCHAR(300) NOT NULL,
    region_code VARCHAR(10) NOT NULL,
    funding_model VARCHAR(10) NOT NULL,
    lms_name VARCHAR(100) NOT NULL,
    estimate_tiyn BIGINT NULL,
    address VARCHAR(300) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    status_reason VARCHAR(100) NULL,
    status_since DATE NULL,
    KEY ix_voucher_provider_region (region_code)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_norm (
    region_code VARCHAR(10) NOT NULL,
    age_group VARCHAR(10) NOT NULL,
    group_type VARCHAR(20) NOT NULL,
    norm_tiyn BIGINT NOT NULL,
    PRIMARY KEY (region_code, age_group, group_type)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_voucher (
    voucher_id VARCHAR(20) NOT NULL PRIMARY KEY,
    iin CHAR(12) NOT NULL,
    bin CHAR(12) NOT NULL,
    status VARCHAR(20) NOT NULL,
    KEY ix_voucher_voucher_child (bin, iin)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_risk_flag (
    flag_id BIGINT NOT NULL PRIMARY KEY,
    kind VARCHAR(30) NOT NULL,
    bin CHAR(12) NULL,
    iin CHAR(12) NULL,
    flagged_on DATE NOT NULL,
    resolved_on DATE NULL,
    detail VARCHAR(300) NOT NULL DEFAULT '',
    KEY ix_voucher_risk_flag_child (kind, iin)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_contract (
    contract_id VARCHAR(40) NOT NULL PRIMARY KEY,
    bin CHAR(12) NOT NULL,
    iin CHAR(12) NOT NULL,
    child_name VARCHAR(200) NOT NULL,
    group_type VARCHAR(20) NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NULL,
    KEY ix_voucher_contract_bin (bin, start_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Accepted marks; `flag` = 'double_funding' keeps a flagged mark out of payment.
CREATE TABLE voucher_mark (
    bin CHAR(12) NOT NULL,
    iin CHAR(12) NOT NULL,
    mark_date DATE NOT NULL,
    code VARCHAR(20) NOT NULL,
    document TINYINT NOT NULL DEFAULT 0,
    flag VARCHAR(30) NULL,
    PRIMARY KEY (bin, iin, mark_date),
    KEY ix_voucher_mark_day (mark_date, bin)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_reject (
    reject_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    bin CHAR(12) NOT NULL,
    mark_date DATE NOT NULL,
    iin VARCHAR(20) NOT NULL,
    code VARCHAR(30) NOT NULL,
    document TINYINT NOT NULL DEFAULT 0,
    reason VARCHAR(40) NOT NULL,
    KEY ix_voucher_reject_day (mark_date, bin)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_act (
    act_number VARCHAR(40) NOT NULL PRIMARY KEY,
    bin CHAR(12) NOT NULL,
    period CHAR(7) NOT NULL,
    region_code VARCHAR(10) NOT NULL,
    status VARCHAR(30) NOT NULL,
    rule_id VARCHAR(60) NOT NULL,
    total_tiyn BIGINT NOT NULL,
    children INT NOT NULL,
    payable_days INT NOT NULL,
    missing_marks INT NOT NULL,
    termination_flag TINYINT NOT NULL DEFAULT 0,
    working_days INT NOT NULL,
    data_sha256 CHAR(64) NULL,
    pdf_path VARCHAR(500) NULL,
    esf_path VARCHAR(500) NULL,
    reconciled_on DATE NULL,
    signed_on DATE NULL,
    invoiced_on DATE NULL,
    paid_on DATE NULL,
    UNIQUE KEY ux_voucher_act_provider_month (bin, period),
    KEY ix_voucher_act_period (period, region_code)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE voucher_act_line (
    act_number VARCHAR(40) NOT NULL,
    line_no INT NOT NULL,
    contract_id VARCHAR(40) NOT NULL,
    voucher_id VARCHAR(20) NULL,
    iin CHAR(12) NOT NULL,
    child_name VARCHAR(200) NOT NULL,
    group_type VARCHAR(20) NOT NULL,
    contract_days INT NOT NULL,
    attended_days INT NOT NULL,
    payable_days INT NOT NULL,
    norm_tiyn BIGINT NOT NULL,
    amount_tiyn BIGINT NOT NULL,
    PRIMARY KEY (act_number, line_no),
    KEY ix_voucher_act_line_contract (contract_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One voucher covers months 1-12: the status is kept per voucher-month.
CREATE TABLE voucher_month (
    voucher_id VARCHAR(20) NOT NULL,
    period CHAR(7) NOT NULL,
    status VARCHAR(20) NOT NULL,
    act_number VARCHAR(40) NULL,
    PRIMARY KEY (voucher_id, period)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- What the emitent must act on: termination flags (empty register, risk rules).
CREATE TABLE voucher_provider_event (
    bin CHAR(12) NOT NULL,
    period CHAR(7) NOT NULL,
    kind VARCHAR(30) NOT NULL,
    reason VARCHAR(100) NOT NULL,
    PRIMARY KEY (bin, period, kind)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
