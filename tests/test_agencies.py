from pipeline.agencies import find_agencies, normalize_agency, starts_with_agency


def test_abbreviation_and_full_name_are_one_agency() -> None:
    assert normalize_agency("Sở KH&CN") == normalize_agency("Sở Khoa học và Công nghệ")
    assert normalize_agency("Sở KH&CN") == "Sở Khoa học và Công nghệ"


def test_parenthesised_abbreviation_is_dropped() -> None:
    assert normalize_agency("Sở Khoa học và Công nghệ (KH&CN)") == "Sở Khoa học và Công nghệ"


def test_upper_case_header_name_is_recognised() -> None:
    found = find_agencies("SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    assert [m.canonical for m in found] == ["Sở Khoa học và Công nghệ"]


def test_longest_name_wins() -> None:
    found = find_agencies("Văn phòng UBND tỉnh chủ trì")
    assert [m.canonical for m in found] == ["Văn phòng UBND tỉnh"]


def test_agency_subjects_and_lookalikes() -> None:
    assert starts_with_agency("Sở Tài chính chủ trì")
    assert starts_with_agency("Các sở, ban, ngành, địa phương")
    assert starts_with_agency("UBND các xã, phường, đặc khu")
    assert not starts_with_agency("Số hóa hồ sơ")
    assert not starts_with_agency("Tổ chức thực hiện")
    assert not starts_with_agency("Các nội dung trên")


def test_wrong_diacritics_still_normalise_to_the_full_name() -> None:
    assert normalize_agency("Sở Tai chinh") == "Sở Tài chính"
    assert normalize_agency("SỐ Khoa học và Công nghệ") == "Sở Khoa học và Công nghệ"


def test_unambiguous_heads_are_found_without_diacritics() -> None:
    assert starts_with_agency("Cong an tỉnh chủ trì")
    assert starts_with_agency("Ủy bạn nhân dân các xã thực hiện")
    assert not starts_with_agency("Số liệu thống kê")


def test_commune_level_bodies_and_mass_organisations_are_agencies() -> None:
    assert starts_with_agency("Phòng Văn hóa - Xã hội chủ trì")
    assert not starts_with_agency("Phòng, chống tham nhũng")
    assert normalize_agency("Ủy ban MTTQ Việt Nam tỉnh") == "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"
    assert normalize_agency("Hội LHPN tỉnh") == "Hội Liên hiệp Phụ nữ tỉnh"
